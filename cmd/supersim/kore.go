package main

import "github.com/supersimkit/supersim"

// withKORE makes a KORE client from the KORE_CLIENT_ID pair. It is nil
// while the SDK on this branch has no supersim.WithKORE; such a run fails
// with a usage error that says so.
var withKORE func(id, secret string) supersim.Option
