// The reference graphql-transport-ws client (graphql-ws), as a browser or App Hậu Giang would
// use it: signs in with connection_init, follows a group's posts and a petition's events, and
// prints each event it receives as one JSON line. Exits 0 once it has `HDND_EXPECT` events.
//
// Environment: HDND_WS_URL, HDND_TOKEN, HDND_GROUP_ID, HDND_PETITION_ID, HDND_EXPECT.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`missing ${name}`);
    process.exit(2);
  }
  return value;
};

const expected = Number(env("HDND_EXPECT"));
let received = 0;

const client = createClient({
  url: env("HDND_WS_URL"),
  // Node 20 has no global WebSocket.
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${env("HDND_TOKEN")}` },
  retryAttempts: 0,
  on: {
    connected: () => console.log(JSON.stringify({ connected: true })),
  },
});

const fail = (where) => (error) => {
  console.error(`${where}: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
  process.exit(1);
};

const follow = (id, query, variables) =>
  client.subscribe(
    { query, variables },
    {
      next: (result) => {
        console.log(JSON.stringify({ id, result }));
        received += 1;
        if (received >= expected) {
          client.dispose();
          process.exit(0);
        }
      },
      error: fail(id),
      complete: () => fail(id)(new Error("completed before its events arrived")),
    },
  );

follow(
  "posts",
  "subscription($g: ID!) { groupPosts(groupId: $g) { id body } }",
  { g: env("HDND_GROUP_ID") },
);
follow(
  "events",
  "subscription($p: ID!) { petitionEvents(petitionId: $p) { status actorRole } }",
  { p: env("HDND_PETITION_ID") },
);
