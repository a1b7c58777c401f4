# Provisio container image: one static binary (CGO_ENABLED=0: SQLite is
# modernc.org/sqlite, pure Go) on an empty base, run as the non-root user
# 65532, with its state in /data. See docs/deploy.md.
#
#   docker build -t provisio .                       # builds the binary in golang:1.26
#   scripts/docker-smoke.sh                          # from a binary built on the host,
#                                                    # no image pull needed (Dockerfile.prebuilt)
ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/provisio ./cmd/provisio \
 && mkdir -p /out/data

FROM scratch
# CA certificates for https provisioning targets and OAuth token endpoints.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/provisio /provisio
COPY --from=build --chown=65532:65532 /out/data /data
ENV PROVISIO_ADDR=0.0.0.0:8080 \
    PROVISIO_DATA_DIR=/data \
    PROVISIO_LOG_FORMAT=json
USER 65532:65532
EXPOSE 8080
VOLUME ["/data"]
# scratch has no curl: the binary checks itself (GET /healthz on $PROVISIO_ADDR).
HEALTHCHECK --interval=15s --timeout=6s --start-period=20s --retries=3 CMD ["/provisio", "healthcheck"]
ENTRYPOINT ["/provisio"]
CMD ["serve"]
