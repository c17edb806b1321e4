package directory

import "fmt"

// Level is the access a team gets on a namespace or repository. Its values
// are SWR's own grant levels (swr-api.md §3), so a Level converts to an SWR
// auth value with int(l).
type Level int

// The three levels SWR knows, lowest first.
const (
	Read   Level = 1 // pull
	Write  Level = 3 // pull and push
	Manage Level = 7 // pull, push and manage grants
)

// String returns the name used in the directory file ("read", "write",
// "manage"), or "level(N)" for a value SWR does not define.
func (l Level) String() string {
	switch l {
	case Read:
		return "read"
	case Write:
		return "write"
	case Manage:
		return "manage"
	}
	return fmt.Sprintf("level(%d)", int(l))
}

// ParseLevel returns the Level named s. Only the exact lowercase names
// "read", "write" and "manage" are accepted.
func ParseLevel(s string) (Level, bool) {
	switch s {
	case "read":
		return Read, true
	case "write":
		return Write, true
	case "manage":
		return Manage, true
	}
	return 0, false
}
