package provisioning

import "context"

// ProgressReporter hears how far a running cycle is: each stage's
// candidates (the objects it will consider) when the stage begins, and
// each chunk of them once planned and applied. A cycle's total is thus
// known stage by stage (users first, then groups, then the managers'
// second pass), never overcounted.
type ProgressReporter interface {
	StagePlanned(t ObjectType, candidates int)
	ChunkDone(t ObjectType, considered int)
}

type progressKey struct{}

// WithProgress returns ctx carrying r: the engine reports the stages run
// with it to r (the job service passes it to Run only).
func WithProgress(ctx context.Context, r ProgressReporter) context.Context {
	return context.WithValue(ctx, progressKey{}, r)
}

func progressOf(ctx context.Context) ProgressReporter {
	r, _ := ctx.Value(progressKey{}).(ProgressReporter)
	return r
}
