package config

import "fmt"

// CheckRegion returns an error when region does not have the shape of a
// Huawei Cloud region name such as cn-north-4.
func CheckRegion(region string) error {
	if !regionPattern.MatchString(region) {
		return fmt.Errorf("region %q is not a region name such as cn-north-4", region)
	}
	return nil
}
