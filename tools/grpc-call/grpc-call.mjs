// Calls one method of a Fovea gRPC service with a JSON request and prints the answer(s) as JSON.
//   node grpc-call.mjs HOST:PORT fovea.v1.Service/Method '{"field": ...}'   (request "-" = read stdin)
// Field names are the .proto's (snake_case); the definitions come from proto/src/main/proto, so the client
// always matches the contracts in this checkout.
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [address, target, body] = process.argv.slice(2);
if (!address || !target || !target.includes("/")) {
  console.error("usage: bin/grpc-call HOST:PORT fovea.v1.Service/Method '{json}'");
  process.exit(2);
}
const protoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "proto", "src", "main", "proto");
const files = readdirSync(join(protoRoot, "fovea", "v1")).filter(f => f.endsWith(".proto")).map(f => "fovea/v1/" + f);
const definition = protoLoader.loadSync(files, { includeDirs: [protoRoot], keepCase: true, longs: String,
  enums: String, defaults: false, oneofs: true });
const loaded = grpc.loadPackageDefinition(definition);

const [servicePath, method] = target.split("/");
const Service = servicePath.split(".").reduce((o, k) => o?.[k], loaded);
if (!Service) {
  console.error(`no service ${servicePath} in ${protoRoot}`);
  process.exit(2);
}
const methodName = Object.keys(Service.service).find(m => m.toLowerCase() === method.toLowerCase());
if (!methodName) {
  console.error(`${servicePath} has no method ${method}; it has ${Object.keys(Service.service).join(", ")}`);
  process.exit(2);
}
const request = JSON.parse(body === undefined || body === "-" ? readFileSync(0, "utf8") : body);
const client = new Service(address, grpc.credentials.createInsecure(),
  { "grpc.max_receive_message_length": 256 << 20, "grpc.max_send_message_length": 256 << 20 });
const print = m => console.log(JSON.stringify(m));
// The services' transport (Quarkus on Vert.x) percent-encodes every reserved character of a status message, as the
// gRPC spec allows, while grpc-js decodes with decodeURI, which leaves ", : ; = / ? # & + $ @" encoded: finish it.
const plain = text => { try { return decodeURIComponent(text); } catch { return text; } };
const fail = e => { console.error(`${e.code !== undefined ? grpc.status[e.code] : "ERROR"}: ${plain(e.details ?? e.message)}`); process.exit(1); };
const call = client[methodName].bind(client);
if (Service.service[methodName].responseStream) {
  const stream = call(request);
  stream.on("data", print);
  stream.on("error", fail);
  stream.on("end", () => client.close());
} else {
  call(request, (err, response) => {
    if (err) fail(err);
    print(response);
    client.close();
  });
}
