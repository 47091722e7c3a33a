package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/supersimkit/supersim"
)

// The on-disk cache of billing periods of "supersim limits": one JSON file
// per account, provider and API origin in the cache directory, named by a
// hash of the three (never of a secret) and holding that hash, so that a
// file of another account, copied or renamed, is recognized as foreign and
// never read. A SIM's current period is kept until it ends; the SDK uses a
// cached period only while it holds now and names the SIM, so at worst a
// stale entry costs the request it would have cost without a cache.

// periodCacheFormat names the file's layout; a file of another layout is
// ignored as corrupt and rebuilt.
const periodCacheFormat = "supersim-billing-periods/1"

// periodCacheFile is the cache file's content.
type periodCacheFile struct {
	Format   string                   `json:"format"`
	Identity string                   `json:"identity"` // hex SHA-256 of provider, account and origin
	Provider string                   `json:"provider"`
	Origin   string                   `json:"origin"`
	Periods  []supersim.BillingPeriod `json:"periods"` // by SIM SID
}

// periodCache is a supersim.PeriodCache kept in a file: loaded once,
// saved once after the run. It is safe for concurrent use.
type periodCache struct {
	path, identity, provider, origin string

	mu      sync.Mutex
	periods map[string]supersim.BillingPeriod // by SIM SID
	changed bool
}

var _ supersim.PeriodCache = (*periodCache)(nil)

// cacheIdentity hashes what a cache belongs to: the provider, the account
// (the Account SID, API Key SID or KORE client ID: never the secret) and
// the API origin.
func cacheIdentity(provider, account, origin string) string {
	sum := sha256.Sum256([]byte(provider + "\x00" + account + "\x00" + origin))
	return hex.EncodeToString(sum[:])
}

// openPeriodCache loads the cache of provider, account and origin from dir
// (made if need be), keeping the periods that have not ended by now. A
// missing file is an empty cache; a corrupt or foreign one is ignored with
// a warning (by warn) and replaced when saved.
func openPeriodCache(dir, provider, account, origin string, now time.Time, warn func(string)) *periodCache {
	identity := cacheIdentity(provider, account, origin)
	c := &periodCache{path: filepath.Join(dir, "billing-periods-"+identity[:16]+".json"),
		identity: identity, provider: provider, origin: origin, periods: map[string]supersim.BillingPeriod{}}
	data, err := os.ReadFile(c.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return c
	case err != nil:
		warn(fmt.Sprintf("warning: cannot read the billing-period cache %s (%v); reading every period from the API", c.path, err))
		c.changed = true
		return c
	}
	var file periodCacheFile
	if err := json.Unmarshal(data, &file); err != nil || file.Format != periodCacheFormat || !wellFormed(file.Periods) {
		warn(fmt.Sprintf("warning: the billing-period cache %s is corrupt; ignored, and rebuilt", c.path))
		c.changed = true
		return c
	}
	if file.Identity != identity {
		warn(fmt.Sprintf("warning: the billing-period cache %s belongs to another account or API origin; ignored, and rebuilt", c.path))
		c.changed = true
		return c
	}
	for _, p := range file.Periods {
		if now.Before(p.EndTime) {
			c.periods[p.SimSID] = p
		} else {
			c.changed = true // ended: dropped when saved
		}
	}
	return c
}

// wellFormed reports whether every period names a SIM once, and starts
// before it ends.
func wellFormed(periods []supersim.BillingPeriod) bool {
	seen := make(map[string]bool, len(periods))
	for _, p := range periods {
		if !strings.HasPrefix(p.SimSID, "HS") || seen[p.SimSID] || p.StartTime.IsZero() || !p.StartTime.Before(p.EndTime) {
			return false
		}
		seen[p.SimSID] = true
	}
	return true
}

// Period returns the SIM's cached period, if any.
func (c *periodCache) Period(simSID string) (supersim.BillingPeriod, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.periods[simSID]
	return p, ok
}

// StorePeriod keeps p as its SIM's period, with strings of its own: the
// SDK's decoder may put a page's strings in shared blocks, which a kept
// period would otherwise hold on to for the whole run.
func (c *periodCache) StorePeriod(p supersim.BillingPeriod) {
	p.SID, p.AccountSID, p.SimSID, p.PeriodType = strings.Clone(p.SID), strings.Clone(p.AccountSID), strings.Clone(p.SimSID), strings.Clone(p.PeriodType)
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.periods[p.SimSID]; ok && old == p {
		return
	}
	c.periods[p.SimSID] = p
	c.changed = true
}

// save writes the cache, if it changed, atomically (see writeFileAtomic),
// making its directory if need be.
func (c *periodCache) save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.changed {
		return nil
	}
	file := periodCacheFile{Format: periodCacheFormat, Identity: c.identity, Provider: c.provider, Origin: c.origin,
		Periods: make([]supersim.BillingPeriod, 0, len(c.periods))}
	for _, p := range c.periods {
		file.Periods = append(file.Periods, p)
	}
	slices.SortFunc(file.Periods, func(a, b supersim.BillingPeriod) int { return strings.Compare(a.SimSID, b.SimSID) })
	data, err := json.Marshal(file)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return err
	}
	removeStaleTemps(c.path)
	if err := writeFileAtomic(c.path, append(data, '\n')); err != nil {
		return err
	}
	c.changed = false
	return nil
}
