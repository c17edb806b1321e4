package swrtest

import (
	"encoding/json"
	"net/http"
)

// SWR error codes the emulator answers with. Codes listed in swr-api.md
// §1.6 keep their documented meaning; the ones marked "emulator" fill gaps
// where no source names the code.
const (
	CodeAuthFailed         = "SVCSTG.SWR.4010000" // 401: expired or unknown X-Auth-Token
	CodeInvalidParam       = "SVCSTG.SWR.4000014" // 400: invalid API parameter (second retention, template change, self grant)
	CodeInvalidParams      = "SVCSTG.SWR.4001025" // 400: malformed body or query parameter
	CodeInvalidFilter      = "SVCSTG.SWR.4001035" // 400: malformed or missing filter
	CodeInvalidPageSize    = "SVCSTG.SWR.4000056" // 400: limit outside 1..1000
	CodeNamespaceQuota     = "SVCSTG.SWR.4000097" // 400: max number of organizations exceeded
	CodeInvalidNamespace   = "SVCSTG.SWR.4001028" // 400: invalid organization name
	CodeInvalidRepository  = "SVCSTG.SWR.4001029" // 400: invalid image (repository) name
	CodeInvalidNsAuth      = "SVCSTG.SWR.4001065" // 400: invalid organization permission
	CodeInvalidRepoAuth    = "SVCSTG.SWR.4001066" // 400: invalid repository permission
	CodeRetentionGone      = "SVCSTG.SWR.4000306" // 400: DELETE of a retention that no longer exists
	CodeSyncRepoGone       = "SVCSTG.SWR.4001158" // 400: DELETE of a sync rule that no longer exists
	CodeNotYourResource    = "SVCSTG.SWR.4039001" // 403: project id of another account
	CodeNamespaceNotFound  = "SVCSTG.SWR.4040058" // 404
	CodeRepositoryNotFound = "SVCSTG.SWR.4040010" // 404
	CodeTagNotFound        = "SVCSTG.SWR.4040048" // 404
	CodeNsGrantNotFound    = "SVCSTG.SWR.4040078" // 404: organization permission not found
	CodeRepoGrantNotFound  = "SVCSTG.SWR.4040091" // 404: permission not found
	CodeTriggerNotFound    = "SVCSTG.SWR.4040126" // 404
	CodeRetentionNotFound  = "SVCSTG.SWR.4040306" // 404 (emulator): GET or PATCH of an unknown retention id
	CodeNamespaceNotEmpty  = "SVCSTG.SWR.4060074" // 406: namespace still holds repositories
	CodeNamespaceExists    = "SVCSTG.SWR.4090060" // 409
	CodeRepositoryExists   = "SVCSTG.SWR.4090006" // 409
	CodeNsGrantExists      = "SVCSTG.SWR.4090076" // 409
	CodeRepoGrantExists    = "SVCSTG.SWR.4090089" // 409
	CodeTriggerExists      = "SVCSTG.SWR.4090126" // 409 (emulator)
	CodeSyncRepoExists     = "SVCSTG.SWR.4091158" // 409 (emulator): same (remoteRegionId, remoteNamespace)
	CodeRetentionExists    = "SVCSTG.SWR.4090306" // 409 (emulator, WithSecondRetentionAnswer): a second policy
	CodeTagExists          = "SVCSTG.SWR.4090048" // 409 (emulator): tag create onto an existing tag with override false
	CodeInternal           = "SVCSTG.SWR.5000001" // 500 (emulator): injected fault
)

// API gateway error codes (swr-api.md §1.6).
const (
	GatewayAuthFailed  = "APIGW.0301" // 401: missing or bad signature
	GatewayNoAPI       = "APIGW.0101" // 404: no such API
	GatewayThrottled   = "APIGW.0308" // 429: rate limit reached
	GatewayUnavailable = "APIGW.0201" // 503: backend unavailable (injected fault)
)

// errorShape selects which of SWR's error body formats an error uses.
type errorShape int

const (
	shapeArray   errorShape = iota // [{"errorCode","errorMessage","detail"}]
	shapeWrapped                   // {"errors":[{"errorCode","errorMessage","detail"}]}
	shapeGateway                   // {"error_code","error_msg","request_id"}
)

// apiError is an error response about to be written.
type apiError struct {
	status int
	shape  errorShape
	code   string
	msg    string
}

func swrError(status int, code, msg string) *apiError {
	return &apiError{status: status, shape: shapeArray, code: code, msg: msg}
}

func wrappedError(status int, code, msg string) *apiError {
	return &apiError{status: status, shape: shapeWrapped, code: code, msg: msg}
}

func gatewayError(status int, code, msg string) *apiError {
	return &apiError{status: status, shape: shapeGateway, code: code, msg: msg}
}

func badParams(msg string) *apiError { return swrError(http.StatusBadRequest, CodeInvalidParams, msg) }

type swrErrorBody struct {
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
	Detail       string `json:"detail"`
}

type gatewayErrorBody struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	RequestID string `json:"request_id"`
}

// writeError writes e in its shape. The request id comes from the
// X-Request-Id header already set on w.
func writeError(w http.ResponseWriter, e *apiError) {
	var body any
	item := swrErrorBody{ErrorCode: e.code, ErrorMessage: e.msg, Detail: ""}
	switch e.shape {
	case shapeWrapped:
		body = map[string][]swrErrorBody{"errors": {item}}
	case shapeGateway:
		body = gatewayErrorBody{ErrorCode: e.code, ErrorMsg: e.msg, RequestID: w.Header().Get(headerRequestID)}
	default:
		body = []swrErrorBody{item}
	}
	writeJSON(w, e.status, body)
}

// writeJSON writes v as the JSON body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`[{"errorCode":"`+CodeInternal+`","errorMessage":"encode response","detail":""}]`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// writeEmpty answers a write call that returns no body.
func writeEmpty(w http.ResponseWriter, status int) {
	w.WriteHeader(status)
}
