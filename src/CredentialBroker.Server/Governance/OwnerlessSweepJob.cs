using Quartz;

namespace CredentialBroker.Server.Governance;

/// <summary>Quartz job (clustered) running <see cref="OwnerlessSweeper"/>.</summary>
[DisallowConcurrentExecution]
internal sealed class OwnerlessSweepJob(OwnerlessSweeper sweeper) : IJob
{
    public const string Name = "revoke-ownerless-credentials";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await sweeper.SweepAsync(cancellationToken);
}
