package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// defaultS3Region is used when neither Options nor the AWS environment
// name a region.
const defaultS3Region = "us-east-1"

func fetchS3(ctx context.Context, src string, opts Options) (Content, error) {
	bucket, key, ok := strings.Cut(strings.TrimPrefix(src, "s3://"), "/")
	if !ok || bucket == "" || key == "" {
		return Content{}, errors.New("fetch: an S3 source must be s3://bucket/key")
	}
	where := "s3://" + bucket + "/" + key
	client, err := newS3Client(ctx, opts)
	if err != nil {
		return Content{}, fmt.Errorf("fetch %s: %w", where, err)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return Content{}, fmt.Errorf("fetch %s: %w", where, err)
	}
	defer out.Body.Close()
	maxBytes := opts.maxBytes()
	if size := aws.ToInt64(out.ContentLength); size > maxBytes {
		return Content{}, fmt.Errorf("fetch %s: %d bytes is larger than the %d-byte limit", where, size, maxBytes)
	}
	data, err := readLimited(out.Body, maxBytes)
	if err != nil {
		return Content{}, fmt.Errorf("fetch %s: %w", where, err)
	}
	return Content{Source: where, Data: data, ETag: aws.ToString(out.ETag)}, nil
}

func newS3Client(ctx context.Context, opts Options) (*s3.Client, error) {
	var load []func(*config.LoadOptions) error
	if opts.S3.Region != "" {
		load = append(load, config.WithRegion(opts.S3.Region))
	}
	if opts.S3.Credentials != nil {
		load = append(load, config.WithCredentialsProvider(opts.S3.Credentials))
	}
	if opts.HTTPClient != nil {
		load = append(load, config.WithHTTPClient(opts.HTTPClient))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = defaultS3Region
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if opts.S3.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.S3.Endpoint)
		}
		o.UsePathStyle = opts.S3.UsePathStyle
		// A plain object store may send no checksum; that is not worth a
		// warning on every fetch.
		o.DisableLogOutputChecksumValidationSkipped = true
	}), nil
}
