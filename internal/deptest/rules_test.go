package deptest

import "slices"

// The layers of DESIGN.md as package patterns (see [layer]). Patterns name
// packages that do not exist yet too, so that a package fits its layer the
// day it is created.
var (
	// public is the reusable SCIM library.
	public = in("scim/...")

	// internal is everything Provisio keeps to itself.
	internal = in("internal/...")

	// domain is below the store: the directory's types and attribute
	// catalog, the engine's value types (links, log entries). Its service
	// is above the store, wherever it lives.
	domain = layer{
		in: []string{"internal/directory/...", "internal/provisioning/record/..."},
	}

	// stores persist: the storage contracts and their implementations.
	stores = in("internal/store/...", "scim/backend/...")

	// services own the operations above the store.
	services = layer{
		in: []string{
			"internal/dirsvc/...", "internal/tenant/...",
			"internal/source/...", "internal/provisioning/...", "internal/notify/...",
			"internal/exprsvc/...", "internal/audit/...", "internal/oidckeys/...",
		},
		except: domain.in,
	}

	// expr is the expression languages: mapping expressions and scoping
	// filters, pure functions of their input.
	expr = in("internal/expr/...")

	// outside is what reaches outside the process.
	outside = in("net/...", "os/...", "database/sql/...", "syscall")

	// engine is the provisioning engine and its job runner.
	engine = layer{in: []string{"internal/provisioning/..."}, except: domain.in}

	// handlers serve HTTP; clients speak HTTP to a server.
	handlers = in(
		"internal/adminapi/...", "internal/scimsvc/...", "internal/web/...",
		"internal/oidc/...", "internal/portal/...", "scim/server/...",
	)
	clients = in("scim/client/...", "internal/apiclient/...", "internal/outbound/...")

	// contract is the admin API's wire types and typed client, shared by
	// the server and the CLI.
	contract = in("internal/apitypes/...", "internal/apiclient/...")

	// mail sends notifications (net/mail only parses addresses).
	mail = in("net/smtp", "internal/notify/...")

	// ui is the code people sign in to and click through, and the admin
	// API: it reaches data only through services, never the store.
	ui = in("internal/web/...", "internal/oidc/...", "internal/portal/...", "internal/adminapi/...")

	// wiring builds the parts and runs them together; nothing else may
	// import it or the concrete store it chooses.
	wiring   = in("internal/app/...", "cmd/...", "bench/...")
	concrete = in("internal/store/sqlstore/...")
	module   = layer{in: []string{"..."}, except: wiring.in}

	// testSupport is code only tests import: the browser harness.
	testSupport = in("internal/browsertest/...")
)

// rules are the layering rules of DESIGN.md, each checked on the import
// graph of the module's (non-test) packages.
var rules = []rule{
	{
		name:   "scim never imports internal",
		pkgs:   public,
		mayNot: []layer{internal},
		bad:    edge{"scim/filter", "internal/store"},
	},
	{
		name:   "domain below store and services",
		pkgs:   domain,
		mayNot: []layer{stores, services, handlers, clients, wiring},
		bad:    edge{"internal/directory", "internal/store"},
	},
	{
		name:   "store imports no service or HTTP",
		pkgs:   stores,
		mayNot: []layer{services, handlers, clients, wiring},
		bad:    edge{"internal/store/sqlstore", "internal/tenant"},
	},
	{
		name:   "expressions sit on scim and the domain only",
		pkgs:   expr,
		mayNot: []layer{{in: internal.in, except: slices.Concat(expr.in, domain.in)}, stores, handlers, clients},
		bad:    edge{"internal/expr/scoping", "internal/provisioning"},
	},
	{
		name:   "expressions do no I/O",
		pkgs:   expr,
		direct: true, // scim imports net/http for status codes only
		mayNot: []layer{outside},
		bad:    edge{"internal/expr/scoping", "os"},
	},
	{
		name:   "engine imports no HTTP handler or mail",
		pkgs:   engine,
		mayNot: []layer{handlers, mail, contract, wiring},
		bad:    edge{"internal/provisioning/jobs", "net/smtp"},
	},
	{
		name:   "web, OIDC and the admin API reach data through services",
		pkgs:   ui,
		direct: true,
		mayNot: []layer{stores},
		bad:    edge{"internal/web", "internal/store"},
	},
	{
		name:   "admin API contract stands alone",
		pkgs:   contract,
		mayNot: []layer{stores, services, handlers, wiring},
		bad:    edge{"internal/apiclient", "internal/adminapi"},
	},
	{
		name:   "only app and cmd wire",
		pkgs:   module,
		mayNot: []layer{wiring, concrete},
		bad:    edge{"internal/adminapi", "internal/store/sqlstore"},
	},
	{
		name:   "only tests import test support",
		pkgs:   layer{in: []string{"..."}, except: testSupport.in},
		mayNot: []layer{testSupport},
		bad:    edge{"internal/web", "internal/browsertest"},
	},
}
