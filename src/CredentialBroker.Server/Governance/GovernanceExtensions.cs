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
        builder.Services.AddSingleton<SweepRevoker>();
        builder.Services.AddSingleton<OwnerlessSweeper>();
        builder.Services.AddSingleton<StaleSweeper>();
        builder.Services.AddScoped<Admin.Offboarding>();
        builder.Services.AddScoped<OwnerDirectorySync>();
        builder.Services.AddSingleton<OwnerDirectoryJob>();
        var delivery = builder.Configuration.GetSection($"{BrokerOptions.Section}:{nameof(BrokerOptions.Delivery)}").Get<Delivery.DeliveryOptions>() ?? new();
        var interval = builder.Configuration.GetSection(BrokerOptions.Section).GetValue<TimeSpan?>(nameof(BrokerOptions.ExpirySweepInterval))
            ?? new BrokerOptions().ExpirySweepInterval;
        var governance = builder.Configuration.GetSection(BrokerOptions.Section).GetSection(nameof(BrokerOptions.Governance)).Get<GovernanceOptions>() ?? new GovernanceOptions();

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
            q.ScheduleJob<OwnerlessSweepJob>(trigger => trigger
                .WithIdentity(OwnerlessSweepJob.Name)
                .WithSimpleSchedule(governance.OwnerlessSweepInterval));
            q.ScheduleJob<StaleSweepJob>(trigger => trigger
                .WithIdentity(StaleSweepJob.Name)
                .WithSimpleSchedule(governance.StaleSweepInterval));
            q.ScheduleJob<OwnerDirectoryJob>(trigger => trigger
                .WithIdentity(OwnerDirectoryJob.Name)
                .WithSimpleSchedule(governance.DirectorySyncInterval));
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
