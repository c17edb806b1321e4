package function

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// Limits of the CloudWatch Embedded Metric Format.
const (
	maxEMFDimensions = 30
	maxEMFMetrics    = 100
	maxEMFNameLen    = 255
	maxEMFDimValue   = 1024
)

// EMF writes one CloudWatch Embedded Metric Format line to w: an _aws
// member with the timestamp (milliseconds), namespace, one dimension set
// holding every key of dims, and a definition per metric, plus the
// dimension and metric values as root members. Names and keys are sorted,
// so equal input gives equal output. The unit follows the metric name's
// suffix: Milliseconds or Ms → Milliseconds, Seconds → Seconds, Bytes →
// Bytes, Percent → Percent, anything else Count. The line is written with a
// single Write so that concurrent writers to one stream do not interleave.
func EMF(w io.Writer, namespace string, dims map[string]string, metrics map[string]float64, now time.Time) error {
	line, err := emfLine(namespace, dims, metrics, now)
	if err != nil {
		return fmt.Errorf("emf %s: %w", namespace, err)
	}
	if _, err := w.Write(line); err != nil {
		return fmt.Errorf("emf %s: write: %w", namespace, err)
	}
	return nil
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMetadata struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

func emfLine(namespace string, dims map[string]string, metrics map[string]float64, now time.Time) ([]byte, error) {
	if namespace == "" || len(namespace) > maxEMFNameLen {
		return nil, fmt.Errorf("namespace must be 1 to %d characters", maxEMFNameLen)
	}
	if len(metrics) == 0 {
		return nil, errors.New("no metrics")
	}
	if len(metrics) > maxEMFMetrics {
		return nil, fmt.Errorf("%d metrics, at most %d allowed", len(metrics), maxEMFMetrics)
	}
	if len(dims) > maxEMFDimensions {
		return nil, fmt.Errorf("%d dimensions, at most %d allowed", len(dims), maxEMFDimensions)
	}
	root := make(map[string]any, len(dims)+len(metrics)+1)
	dimKeys := sortedKeys(dims)
	for _, k := range dimKeys {
		if err := checkEMFName("dimension", k); err != nil {
			return nil, err
		}
		v := dims[k]
		if v == "" || len(v) > maxEMFDimValue {
			return nil, fmt.Errorf("dimension %q: value must be 1 to %d characters", k, maxEMFDimValue)
		}
		root[k] = v
	}
	names := sortedKeys(metrics)
	defs := make([]emfMetric, 0, len(names))
	for _, name := range names {
		if err := checkEMFName("metric", name); err != nil {
			return nil, err
		}
		if _, clash := dims[name]; clash {
			return nil, fmt.Errorf("metric %q has the name of a dimension", name)
		}
		v := metrics[name]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("metric %q: value %v is not a finite number", name, v)
		}
		root[name] = v
		defs = append(defs, emfMetric{Name: name, Unit: emfUnit(name)})
	}
	root["_aws"] = emfMetadata{
		Timestamp: now.UnixMilli(),
		CloudWatchMetrics: []emfDirective{{
			Namespace:  namespace,
			Dimensions: [][]string{dimKeys},
			Metrics:    defs,
		}},
	}
	line, err := json.Marshal(root)
	if err != nil {
		return nil, err
	}
	return append(line, '\n'), nil
}

func checkEMFName(what, name string) error {
	if name == "" || len(name) > maxEMFNameLen {
		return fmt.Errorf("%s name %q must be 1 to %d characters", what, name, maxEMFNameLen)
	}
	if name == "_aws" {
		return fmt.Errorf("%s name %q is reserved", what, name)
	}
	return nil
}

func emfUnit(name string) string {
	switch {
	case strings.HasSuffix(name, "Milliseconds"), strings.HasSuffix(name, "Ms"):
		return "Milliseconds"
	case strings.HasSuffix(name, "Seconds"):
		return "Seconds"
	case strings.HasSuffix(name, "Bytes"):
		return "Bytes"
	case strings.HasSuffix(name, "Percent"):
		return "Percent"
	}
	return "Count"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
