using CredentialBroker.Server.Hosting;
using Quartz;

namespace CredentialBroker.Server.Governance;

internal static class GovernanceExtensions
{
    /// <summary>Quartz on the clustered ADO job store in the broker's own database, and the governance jobs.</summary>
    public static IHostApplicationBuilder AddGovernance(this IHostApplicationBuilder builder, string connectionString)
    {
        builder.Services.AddSingleton<ExpirySweeper>();
        builder.Services.AddSingleton<ReservationSweeper>();
        var delivery = builder.Configuration.GetSection($"{BrokerOptions.Section}:{nameof(BrokerOptions.Delivery)}").Get<Delivery.DeliveryOptions>() ?? new();
        var interval = builder.Configuration.GetSection(BrokerOptions.Section).GetValue<TimeSpan?>(nameof(BrokerOptions.ExpirySweepInterval))
            ?? new BrokerOptions().ExpirySweepInterval;

        builder.AddQuartz(q =>
        {
            q.ConfigureScheduler(s => s.InstanceName = "credentialbroker");
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseClustering(c => c.CheckinInterval = TimeSpan.FromSeconds(10));
            });
            q.ScheduleJob<ExpiryJob>(trigger => trigger
                .WithIdentity(ExpiryJob.Name)
                .WithSimpleSchedule(interval));
            q.ScheduleJob<ReservationSweepJob>(trigger => trigger
                .WithIdentity(ReservationSweepJob.Name)
                .WithSimpleSchedule(TimeSpan.FromMinutes(1)));
            q.ScheduleJob<Delivery.UpstreamCleanupJob>(trigger => trigger
                .WithIdentity(Delivery.UpstreamCleanupJob.Name)
                .WithSimpleSchedule(delivery.CleanupInterval));
            q.ScheduleJob<Delivery.ShadowKeyReconcileJob>(trigger => trigger
                .WithIdentity(Delivery.ShadowKeyReconcileJob.Name)
                .WithSimpleSchedule(delivery.ReconcileInterval));
            q.AddJobListener<Telemetry.JobMetricsListener>();
        });
        builder.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return builder;
    }
}
