// Command supersim reports and exports Super SIM data usage from the
// Twilio or KORE UsageRecords API.
//
//	supersim usage  [flags]   a usage report: table, CSV or JSON
//	supersim export [flags]   every record, as CSV or JSON Lines, resumable
//	supersim version          the module version
//
// Credentials come from the environment: TWILIO_ACCOUNT_SID and
// TWILIO_AUTH_TOKEN, else TWILIO_API_KEY and TWILIO_API_SECRET, else
// KORE_CLIENT_ID and KORE_CLIENT_SECRET. With -demo it reads the demo
// dataset of the built-in fake API instead, and needs none:
//
//	go run ./cmd/supersim usage -demo
//
// Exit codes: 0 ok, 1 API error, 2 usage error, 3 nothing matched,
// 130 interrupted. Run "supersim usage -help" for every flag.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // a second Ctrl-C kills at once
	a := &app{stdout: os.Stdout, stderr: os.Stderr, env: os.Environ(), now: time.Now}
	code := a.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// app is one run of the command, with its surroundings passed in so that
// tests run it as a function.
type app struct {
	stdout, stderr io.Writer
	env            []string // KEY=value pairs, as from os.Environ
	now            func() time.Time
}

// run runs the command line args (without the program name) and returns
// the exit code.
func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, topUsage)
		return exitUsage
	}
	switch args[0] {
	case "usage":
		return a.usage(ctx, args[1:])
	case "export":
		return a.export(ctx, args[1:])
	case "serve":
		return a.serve(ctx, args[1:])
	case "limits":
		return a.limits(ctx, args[1:])
	case "version", "-version", "--version":
		fmt.Fprintln(a.stdout, versionLine())
		return exitOK
	case "help", "-help", "--help", "-h":
		fmt.Fprint(a.stdout, topUsage)
		return exitOK
	}
	fmt.Fprintf(a.stderr, "supersim: unknown command %q\n\n%s", args[0], topUsage)
	return exitUsage
}

// topUsage is the help of the command as a whole.
const topUsage = `Usage: supersim <command> [flags]

Reports and exports Super SIM data usage (GET /v1/UsageRecords) from Twilio
or KORE.

Commands:
  usage     a usage report per group, with totals: table, CSV or JSON
  export    every record of a query as CSV or JSON Lines, resumable
  serve     Prometheus metrics of usage and data limits, on /metrics
  limits    each SIM's data against its fleet's limit; exit 4 at -threshold
  version   the version of this command (also: supersim -version)

Try it without an account:
  supersim usage -demo
  supersim export -demo -format jsonl

Run "supersim <command> -help" for its flags, the environment variables it
reads and its exit codes.
`
