using Quartz;

namespace CredentialBroker.Server.Delivery;

/// <summary>Quartz job (clustered) running <see cref="ShadowKeyReconciler"/>.</summary>
[DisallowConcurrentExecution]
internal sealed class ShadowKeyReconcileJob(ShadowKeyReconciler reconciler) : IJob
{
    public const string Name = "shadow-key-reconcile";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await reconciler.ReconcileAsync(cancellationToken);
}
