// Command helloworld is the smallest aws-lambda-go function: the yardstick
// `make bench` sets the functions' bootstrap sizes beside. It is built as
// they are and never deployed.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, map[string]any) (string, error) { return "hello", nil })
}
