package events

import (
	"encoding/json"
	"strconv"

	awsevents "github.com/aws/aws-lambda-go/events"
)

// sqsEventSource is the eventSource of every SQS record.
const sqsEventSource = "aws:sqs"

// decodeSQS decodes an SQS batch. Each record's body is a CloudEvent (JSON
// event format), a JSON array of them, or a Harbor Default webhook. A record
// that fails to decode, or that lies past MaxBatch, is a failed record, not
// a failed batch; the batch itself fails only when it is not an SQS batch.
func (d *Decoder) decodeSQS(payload []byte) (*Batch, error) {
	b := &Batch{Origin: OriginSQS}
	var in awsevents.SQSEvent
	if err := json.Unmarshal(payload, &in); err != nil {
		return b, jsonError("", err)
	}
	if len(in.Records) == 0 {
		return b, badRequest("Records", "empty")
	}
	for i, r := range in.Records {
		path := "Records[" + strconv.Itoa(i) + "]"
		if r.EventSource != sqsEventSource {
			return b, badRequest(path+".eventSource", "want "+strconv.Quote(sqsEventSource)+", got "+quote(r.EventSource))
		}
		if r.MessageId == "" {
			return b, badRequest(path+".messageId", "missing")
		}
	}
	b.Records = make([]Record, len(in.Records))
	for i, r := range in.Records {
		path := "Records[" + strconv.Itoa(i) + "]"
		rec := &b.Records[i]
		rec.MessageID = r.MessageId
		if i >= d.cfg.MaxBatch {
			rec.Err = badRequest(path, "past the batch limit of "+strconv.Itoa(d.cfg.MaxBatch)+" records; left for redelivery")
			continue
		}
		if len(r.Body) > d.cfg.MaxBody {
			rec.Err = tooLarge(path+".body", d.cfg.MaxBody)
			continue
		}
		evs, err := d.decodeDocument([]byte(r.Body), path+".body")
		if err != nil {
			rec.Err = err
			continue
		}
		for j := range evs {
			evs[j].MessageID = r.MessageId
		}
		rec.Events = len(evs)
		b.Events = append(b.Events, evs...)
	}
	return b, nil
}
