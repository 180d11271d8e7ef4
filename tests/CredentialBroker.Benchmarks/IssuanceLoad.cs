using CredentialBroker.V1;

namespace CredentialBroker.Benchmarks;

/// <summary>The issuance load every scenario measures: closed-loop IssueCredential callers, round robin over the broker's channels.</summary>
internal static class IssuanceLoad
{
    public static List<Func<Task>> Callers(BrokerHost broker, int count, CancellationToken cancellationToken) =>
        [.. Enumerable.Range(0, count).Select(i =>
        {
            var client = new CredentialService.CredentialServiceClient(broker.Channels[i % broker.Channels.Count]);
            var request = BrokerHost.CreateIssueRequest();
            return (Func<Task>)(async () =>
            {
                var response = await client.IssueCredentialAsync(request, broker.WorkloadAuth, cancellationToken: cancellationToken);
                if (string.IsNullOrEmpty(response.Secret))
                {
                    throw new InvalidOperationException("IssueCredential returned no secret");
                }
            });
        })];
}
