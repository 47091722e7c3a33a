package main

import (
	"cmp"
	"context"
	"fmt"
	"sync"

	"github.com/supersimkit/supersim"
)

// Names: the unique names of SIMs and fleets and the friendly names of
// networks, for reports and exports that show more than SIDs. They come
// from whole lists, one walk each (never one request per SID), read in a
// goroutine of their own while the usage walk runs.

// namesPageSize is the page size of the name lists: the largest, on Twilio
// and KORE alike, so that a list is as few requests as it can be.
const namesPageSize = 1000

// nameWalk is one list walk that maps SIDs to names.
type nameWalk struct {
	done  chan struct{}
	names map[string]string // SID → name; only the items that have one
	err   error
}

// walkNames starts walking it in a goroutine of its own, naming each item
// with name (its SID and its name, "" for none). It ends when the list
// does, or ctx does; wait for it before returning.
func walkNames[T any](it *supersim.Iterator[T], name func(T) (sid, name string)) *nameWalk {
	w := &nameWalk{done: make(chan struct{}), names: map[string]string{}}
	go func() {
		defer close(w.done)
		defer it.Stop()
		for it.Next() {
			if sid, n := name(it.Value()); n != "" {
				w.names[sid] = n
			}
		}
		w.err = it.Err()
	}()
	return w
}

// wait waits for the walk to end and returns its names; a nil walk has
// none.
func (w *nameWalk) wait() (map[string]string, error) {
	if w == nil {
		return nil, nil
	}
	<-w.done
	return w.names, w.err
}

// simName is a SIM's unique name, else its ICCID.
func simName(s supersim.Sim) (string, string) { return s.SID, cmp.Or(s.UniqueName, s.ICCID) }

// fleetName is a fleet's unique name.
func fleetName(f supersim.Fleet) (string, string) { return f.SID, f.UniqueName }

// networkName is a network's friendly name.
func networkName(n supersim.Network) (string, string) { return n.SID, n.FriendlyName }

// walkSimNames starts a walk of the SIMs' names: those of fleet (a SID or
// a unique name) when it is not "", else all.
func walkSimNames(ctx context.Context, client *supersim.Client, fleet string) *nameWalk {
	opts := &supersim.ListSimsOptions{Fleet: fleet}
	opts.PageSize = namesPageSize
	return walkNames(client.ListSims(ctx, opts), simName)
}

// walkFleetNames starts a walk of the fleets' names.
func walkFleetNames(ctx context.Context, client *supersim.Client) *nameWalk {
	opts := &supersim.ListFleetsOptions{}
	opts.PageSize = namesPageSize
	return walkNames(client.ListFleets(ctx, opts), fleetName)
}

// walkGroupNames starts the walk of the names of a report's groups, by
// opts.Group: SIMs (of opts.Fleet, if set), fleets or networks; nil for
// countries (their codes are their names) and for no grouping.
func walkGroupNames(ctx context.Context, client *supersim.Client, opts supersim.ListUsageRecordsOptions) *nameWalk {
	switch opts.Group {
	case supersim.GroupSim:
		return walkSimNames(ctx, client, opts.Fleet)
	case supersim.GroupFleet:
		return walkFleetNames(ctx, client)
	case supersim.GroupNetwork:
		lo := &supersim.ListNetworksOptions{}
		lo.PageSize = namesPageSize
		return walkNames(client.ListNetworks(ctx, lo), networkName)
	}
	return nil
}

// namesWarning is the one line a report prints on stderr when the names
// of its groups cannot be read: it goes on with SIDs.
func namesWarning(err error) string {
	return fmt.Sprintf("supersim: warning: the names could not be read, so the report shows SIDs only (%s)", oneLine(err))
}

// recordNames names the SIMs and fleets of an export's records (export
// -names): a walk of the SIMs (of -fleet, if set) and one of the fleets,
// waited for when the first record is named, so that they overlap the
// first pages of the usage walk.
type recordNames struct {
	simWalk, fleetWalk *nameWalk
	once               sync.Once
	sims, fleets       map[string]string
	err                error
}

// namesError is a failure to read the names of an export -names: an API
// failure, not a failure to write.
type namesError struct{ err error }

// Error says which names could not be read, and why.
func (e *namesError) Error() string { return "reading the names of SIMs and fleets: " + e.err.Error() }

// Unwrap returns the cause.
func (e *namesError) Unwrap() error { return e.err }

// startRecordNames starts the walks of an export -names.
func startRecordNames(ctx context.Context, client *supersim.Client, fleet string) *recordNames {
	return &recordNames{simWalk: walkSimNames(ctx, client, fleet), fleetWalk: walkFleetNames(ctx, client)}
}

// of returns the names of r's SIM and fleet ("" for none), waiting for
// the walks the first time; their error is a *namesError.
func (n *recordNames) of(r supersim.UsageRecord) (sim, fleet string, err error) {
	n.once.Do(func() {
		var simErr, fleetErr error
		n.sims, simErr = n.simWalk.wait()
		n.fleets, fleetErr = n.fleetWalk.wait()
		if err := cmp.Or(simErr, fleetErr); err != nil {
			n.err = &namesError{err}
		}
	})
	return n.sims[r.SimSID], n.fleets[r.FleetSID], n.err
}

// wait waits for the walks to end, for an export that stops before it
// named a record; nil is none.
func (n *recordNames) wait() {
	if n != nil {
		n.simWalk.wait()
		n.fleetWalk.wait()
	}
}
