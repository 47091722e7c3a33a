package supersim_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/supersimkit/supersim"
	"github.com/supersimkit/supersim/supersimtest"
)

func TestStatsCountTriesRetriesAndRefusals(t *testing.T) {
	t.Parallel()
	srv := supersimtest.NewServer()
	defer srv.Close()
	client, err := srv.Client()
	require.NoError(t, err)
	assert.Equal(t, supersim.Stats{Limit: 4, RetryBudget: supersim.RetryBudgetCapacity}, client.Stats(), "a new Client")

	srv.InjectFaults(2, supersimtest.FaultStatus(429, 0, "0"))
	srv.InjectFaults(1, supersimtest.FaultStatus(503, 0, ""))
	_, err = client.ListUsageRecords(context.Background(), &supersim.ListUsageRecordsOptions{PageSize: 100}).Collect()
	require.NoError(t, err)
	stats := client.Stats()
	assert.Equal(t, int64(len(srv.Requests())), stats.Tries, "every try the server saw")
	assert.Equal(t, int64(3), stats.Retries)
	assert.Equal(t, int64(2), stats.RateLimited)
	assert.Less(t, stats.RetryBudget, supersim.RetryBudgetCapacity, "three retries cost 15, the successes gave some back")
	assert.Positive(t, stats.Limit)
}
