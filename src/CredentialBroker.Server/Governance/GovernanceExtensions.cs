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
        builder.Services.AddSingleton<UsageMaintenance>();
        var usage = builder.Configuration.GetSection($"{BrokerOptions.Section}:{nameof(BrokerOptions.Usage)}").Get<Budgets.UsageOptions>() ?? new();
        var anomalyInterval = builder.Configuration.GetSection($"{BrokerOptions.Section}:{nameof(BrokerOptions.Anomalies)}").GetValue<TimeSpan?>(nameof(Anomalies.AnomalyOptions.Interval))
            ?? new Anomalies.AnomalyOptions().Interval;
        var interval = builder.Configuration.GetSection(BrokerOptions.Section).GetValue<TimeSpan?>(nameof(BrokerOptions.ExpirySweepInterval))
            ?? new BrokerOptions().ExpirySweepInterval;

        var replica = builder.Configuration.GetSection($"{BrokerOptions.Section}:{nameof(BrokerOptions.Replica)}").Get<Cluster.ReplicaOptions>() ?? new();

        builder.AddQuartz(q =>
        {
            // The scheduler instance is the replica (Broker:Replica:Id), so qrtz_fired_triggers names the replica running a job.
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = "credentialbroker";
                s.InstanceId = Cluster.ReplicaIdentity.For(builder).Id;
            });
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseClustering(c =>
                {
                    c.CheckinInterval = replica.JobCheckinInterval;
                    c.CheckinMisfireThreshold = replica.JobFailureThreshold;
                });
            });
            // RequestRecovery: when a replica dies mid-sweep, the replica that notices runs the sweep again at once.
            q.ScheduleJob<ExpiryJob>(
                trigger => trigger
                    .WithIdentity(ExpiryJob.Name)
                    .WithSimpleSchedule(interval),
                job => job.RequestRecovery());
            q.ScheduleJob<ReservationSweepJob>(trigger => trigger
                .WithIdentity(ReservationSweepJob.Name)
                .WithSimpleSchedule(TimeSpan.FromMinutes(1)));
            q.ScheduleJob<UsageMaintenanceJob>(trigger => trigger
                .WithIdentity(UsageMaintenanceJob.Name)
                .StartNow()
                .WithSimpleSchedule(usage.MaintenanceInterval));
            q.ScheduleJob<Anomalies.AnomalyJob>(trigger => trigger
                .WithIdentity(Anomalies.AnomalyJob.Name)
                .WithSimpleSchedule(anomalyInterval));
            q.AddJobListener<Telemetry.JobMetricsListener>();
        });
        builder.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return builder;
    }
}
