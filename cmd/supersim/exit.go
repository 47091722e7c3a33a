package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/supersimkit/supersim"
)

// Exit codes, documented in every -help and the README.
const (
	exitOK          = 0   // done
	exitAPIError    = 1   // the API (or the output) failed
	exitUsage       = 2   // bad flags, missing credentials, a checkpoint that does not fit
	exitNoMatch     = 3   // the query matched no usage
	exitInterrupted = 130 // Ctrl-C or SIGTERM, as shells report SIGINT
)

// exitCodesHelp is the exit-code section of every -help.
const exitCodesHelp = `Exit codes:
  0    done
  1    the API failed (or writing the output did)
  2    usage error: bad flags, no credentials, a checkpoint for another export
  3    nothing matched: no usage (usage) or no records (export) for the query
  130  interrupted (Ctrl-C, SIGTERM)
`

// fail reports a walk that ended with err and returns its exit code:
// exitInterrupted when ctx ended, exitUsage for invalid options, and
// exitAPIError for the rest. creds names where the credentials came from,
// for a hint when the API refused them.
func fail(ctx context.Context, stderr io.Writer, err error, creds *credentials) int {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		fmt.Fprintln(stderr, "supersim: interrupted")
		return exitInterrupted
	}
	msg := "supersim: " + oneLine(err)
	var invalid *supersim.ValidationError
	if errors.As(err, &invalid) {
		fmt.Fprintln(stderr, msg)
		return exitUsage
	}
	if errors.Is(err, supersim.ErrUnauthorized) && creds != nil && creds.pair != nil {
		msg += fmt.Sprintf(" (credentials from %s and %s)", creds.pair.id, creds.pair.secret)
	}
	fmt.Fprintln(stderr, msg)
	return exitAPIError
}

// oneLine words err on one line without the SDK's own "supersim: "
// prefixes (the command prints its own); joined errors are separated by
// "; ".
func oneLine(err error) string {
	return strings.ReplaceAll(strings.ReplaceAll(err.Error(), "supersim: ", ""), "\n", "; ")
}
