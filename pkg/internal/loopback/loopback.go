// Package loopback tells whether a URL's host is this machine, where
// plain http (to a local stand-in or the Lambda extension) is acceptable.
package loopback

import "net"

// Host reports whether host (a URL's Hostname: no port, no brackets) is
// "localhost" or a loopback IP address (127.0.0.0/8, ::1).
func Host(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
