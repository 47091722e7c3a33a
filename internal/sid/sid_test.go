package sid

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValid(t *testing.T) {
	assert.True(t, Valid("HW0123456789abcdefABCDEF0123456789", "HW"))
	assert.False(t, Valid("HS0123456789abcdefABCDEF0123456789", "HW"), "wrong prefix")
	assert.False(t, Valid("HW0123456789abcdefABCDEF012345678", "HW"), "33 chars")
	assert.False(t, Valid("HW0123456789abcdefABCDEF01234567890", "HW"), "35 chars")
	assert.False(t, Valid("HW0123456789abcdefABCDEF012345678g", "HW"), "not hex")
	assert.False(t, Valid("", "HW"))
	assert.True(t, LooksLike("HSzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "HS"))
	assert.False(t, LooksLike("HSzz", "HS"))
	assert.False(t, LooksLike("my.sim", "HS"))
}
