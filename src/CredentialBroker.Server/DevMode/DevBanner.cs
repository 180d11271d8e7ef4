namespace CredentialBroker.Server.DevMode;

/// <summary>What dev mode prints once it is ready: tokens and commands to paste.</summary>
internal static class DevBanner
{
    public static void Print(string grpcAddress, string gatewayUrl, string adminToken, DevSeed.Result seed, string postgresSource, string upstreamUrl)
    {
        var hostPort = new Uri(grpcAddress).Authority;
        Console.WriteLine($"""

            ==> CredentialBroker is running in DEV MODE. Data lives in a throwaway PostgreSQL ({postgresSource}) and is deleted on exit.
                Do not use dev mode in production: tokens are printed and the database is not durable.

                gRPC API:        {grpcAddress}   (plaintext HTTP/2, server reflection on)
                Gateway:         {gatewayUrl}/openai/v1  and  {gatewayUrl}/anthropic/v1
                Upstream:        {upstreamUrl}   SIMULATED provider (dev mode only): canned answers, no real model, no real cost
                Admin token:     {adminToken}
                Workload token:  {seed.WorkloadToken}   (workload {DevSeed.Workload})
                Owner token:     {seed.OwnerToken}   (owner {DevSeed.Owner})
                Security token:  {seed.SecurityToken}
                Seeded:          owner '{DevSeed.Owner}', workload '{DevSeed.Workload}', provider '{DevSeed.Provider}',
                                 purpose '{DevSeed.Purpose}' (15m default TTL, 1h max, 8h max lifetime) granted to the workload;
                                 each credential may spend {Budgets.Pricing.Usd(DevSeed.CredentialBudgetMicroUsd)} in its life, at most 256 output tokens per call.

            Try it (in another terminal, from the repository root; grpcurl works the same way with -plaintext):

                export BROKER={hostPort} WORKLOAD_TOKEN={seed.WorkloadToken} SECURITY_TOKEN={seed.SecurityToken}

                # issue a credential as the workload
                npx @bufbuild/buf curl --protocol grpc --http2-prior-knowledge --schema protos \
                  -H "authorization: Bearer $WORKLOAD_TOKEN" \
                  -d '{"{"}"purpose":"{DevSeed.Purpose}","provider":"{DevSeed.Provider}","ttl":"600s"{"}"}' \
                  http://$BROKER/credentialbroker.v1.CredentialService/IssueCredential

                # call the gateway with the key from "secret" above, using the official OpenAI SDK (npm i openai)
                export KEY=cbk_...
                OPENAI_BASE_URL={gatewayUrl}/openai/v1 OPENAI_API_KEY=$KEY node --input-type=module -e                   'import OpenAI from "openai"; const c = new OpenAI(); for (let i = 1; ; i++) {"{"} const r = await c.chat.completions.create({"{"}model: "gpt-4o-mini", messages: [{"{"}role: "user", content: "hello"{"}"}]{"}"}); console.log(i, r.usage); {"}"}'
                # ...until the credential's budget stops it with a 429 "Budget exhausted: ..."; or with curl:
                curl -s {gatewayUrl}/openai/v1/chat/completions -H "Authorization: Bearer $KEY" -H 'content-type: application/json'                   -d '{"{"}"model":"gpt-4o-mini","messages":[{"{"}"role":"user","content":"hello"{"}"}]{"}"}'

                # revoke everything the demo owner has, as security
                npx @bufbuild/buf curl --protocol grpc --http2-prior-knowledge --schema protos \
                  -H "authorization: Bearer $SECURITY_TOKEN" \
                  -d '{"{"}"selector":{"{"}"owner_id":"{seed.OwnerId}"{"}"},"reason":"demo"{"}"}' \
                  http://$BROKER/credentialbroker.v1.RevocationService/RevokeMatching

            Press Ctrl+C to stop.
            """);
    }
}
