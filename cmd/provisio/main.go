// Command provisio runs Provisio: the SCIM 2.0 service provider, the admin
// API and, later, the provisioning engine; its subcommands are a thin CLI
// over the admin API.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "provisio: not yet implemented")
	os.Exit(2)
}
