// Package limit bounds the requests of a Client: how many run at once
// ([Adaptive], which follows the server's refusals), how many retries the
// whole Client may spend ([Budget]), and which of one walk's requests go
// first ([Slots]).
package limit
