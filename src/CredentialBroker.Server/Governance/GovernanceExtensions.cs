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
        builder.Services.AddSingleton<SweepRevoker>();
        builder.Services.AddSingleton<OwnerlessSweeper>();
        builder.Services.AddSingleton<StaleSweeper>();
        builder.Services.AddScoped<Admin.Offboarding>();
        builder.Services.AddScoped<OwnerDirectorySync>();
        builder.Services.AddSingleton<OwnerDirectoryJob>();
        var interval = builder.Configuration.GetSection(BrokerOptions.Section).GetValue<TimeSpan?>(nameof(BrokerOptions.ExpirySweepInterval))
            ?? new BrokerOptions().ExpirySweepInterval;
        var governance = builder.Configuration.GetSection(BrokerOptions.Section).GetSection(nameof(BrokerOptions.Governance)).Get<GovernanceOptions>() ?? new GovernanceOptions();

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
            q.ScheduleJob<OwnerlessSweepJob>(trigger => trigger
                .WithIdentity(OwnerlessSweepJob.Name)
                .WithSimpleSchedule(governance.OwnerlessSweepInterval));
            q.ScheduleJob<StaleSweepJob>(trigger => trigger
                .WithIdentity(StaleSweepJob.Name)
                .WithSimpleSchedule(governance.StaleSweepInterval));
            q.ScheduleJob<OwnerDirectoryJob>(trigger => trigger
                .WithIdentity(OwnerDirectoryJob.Name)
                .WithSimpleSchedule(governance.DirectorySyncInterval));
            q.AddJobListener<Telemetry.JobMetricsListener>();
        });
        builder.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return builder;
    }
}
