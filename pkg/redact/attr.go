package redact

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
)

// Masked replaces the value of a secret attribute.
const Masked = "[REDACTED]"

// IsSensitiveKey reports whether a key names a secret: sk, ak, password,
// token, secret, authorization, cookie, credential, api key, signature or
// hmac, as a word of the key or (for the longer ones) anywhere inside it,
// case-insensitively.
func IsSensitiveKey(key string) bool {
	// compact is the key lower-cased without separators ("x-api-key" →
	// "xapikey"); words are cut at separators.
	var buf [64]byte
	compact := buf[:0]
	wordStart := 0
	for i := 0; i <= len(key); i++ {
		var c byte
		if i < len(key) {
			c = key[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') {
				compact = append(compact, c)
				continue
			}
		}
		// Short names that are secret only as a whole word of the key
		// ("HUAWEICLOUD_SDK_SK" but not "task").
		switch string(compact[wordStart:]) {
		case "ak", "sk", "pwd", "cookie", "signature", "hmac":
			return true
		}
		wordStart = len(compact)
	}
	// Secret names that stay secret inside longer keys ("securityToken",
	// "webhookSecret", "proxy-authorization", "x-api-key").
	for _, part := range [...]string{"password", "passwd", "secret", "token", "authorization", "authheader", "credential", "apikey"} {
		if bytes.Contains(compact, []byte(part)) {
			return true
		}
	}
	return false
}

// Attr is a slog ReplaceAttr function that masks the value of every
// attribute whose key IsSensitiveKey, and the sensitive entries of
// http.Header and string-keyed map values, and passes string and error
// values through Text, so that a URL quoted in an error loses its
// user information and query. The functions' loggers (package function)
// apply it already; compose it into other handlers' options.
func Attr(_ []string, a slog.Attr) slog.Attr {
	if IsSensitiveKey(a.Key) {
		return slog.String(a.Key, Masked)
	}
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); strings.Contains(s, "://") {
			return slog.String(a.Key, Text(s))
		}
		return a
	case slog.KindAny:
	default:
		return a
	}
	switch v := a.Value.Any().(type) {
	case error:
		return slog.String(a.Key, Text(v.Error()))
	case http.Header:
		return slog.Any(a.Key, redactHeader(v))
	case map[string]string:
		return slog.Any(a.Key, redactMap(v))
	case map[string][]string:
		return slog.Any(a.Key, redactMap(v))
	case map[string]any:
		return slog.Any(a.Key, redactMap(v))
	}
	return a
}

func redactHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		if IsSensitiveKey(k) {
			out[k] = []string{Masked}
			continue
		}
		out[k] = vs
	}
	return out
}

func redactMap[V any](m map[string]V) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if IsSensitiveKey(k) {
			out[k] = Masked
			continue
		}
		out[k] = v
	}
	return out
}
