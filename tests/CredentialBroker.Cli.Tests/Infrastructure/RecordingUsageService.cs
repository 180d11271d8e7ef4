using CredentialBroker.V1;
using Grpc.Core;

namespace CredentialBroker.Cli.Tests.Infrastructure;

/// <summary>Records GetUsage requests and answers with <see cref="RecordingBroker.UsageResponse"/>.</summary>
public sealed class RecordingUsageService(RecordingBroker broker) : UsageService.UsageServiceBase
{
    public override Task<GetUsageResponse> GetUsage(GetUsageRequest request, ServerCallContext context)
    {
        broker.Record(request);
        return Task.FromResult(broker.UsageResponse);
    }
}
