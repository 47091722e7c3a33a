package supersim

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
)

func TestInSynctestBubbleTellsTheFakeClock(t *testing.T) {
	assert.False(t, inSynctestBubble(), "outside a bubble")
	synctest.Test(t, func(t *testing.T) {
		assert.True(t, inSynctestBubble(), "in a bubble")
		done := make(chan bool)
		go func() { done <- inSynctestBubble() }()
		assert.True(t, <-done, "on a goroutine the bubble started")
	})
}
