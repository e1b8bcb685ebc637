/**
 * The demo target's gRPC service, the text of examples/demo.proto (a test checks they are the
 * same): kept as a string so the bundled CLI needs no file beside it.
 */
export const DEMO_PROTO = `// The demo target's gRPC service (\`loadline up\` prints its port: demo target grpc grpc://127.0.0.1:PORT).
syntax = "proto3";

package demo;

service Echo {
  // Answers the text, the number of Say calls the target has had, and the x-user metadata it was sent.
  // fail_code (a gRPC status code) ends the call with that status instead; delay_ms answers that late.
  rpc Say (SayRequest) returns (SayReply);
  // count ticks {n}, one every every_ms, then the end of the stream.
  rpc Ticks (TicksRequest) returns (stream Tick);
}

message SayRequest {
  string text = 1;
  int32 fail_code = 2;
  int32 delay_ms = 3;
}

message SayReply {
  string text = 1;
  int64 count = 2;
  string user = 3;
}

message TicksRequest {
  int32 count = 1;
  int32 every_ms = 2;
}

message Tick {
  int32 n = 1;
}
`;
