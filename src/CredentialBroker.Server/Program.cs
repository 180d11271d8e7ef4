using CredentialBroker.Server.DevMode;
using CredentialBroker.Server.Hosting;
using CredentialBroker.Server.Persistence;

return args switch
{
    ["migrations", "script", ..] => SchemaMigrator.PrintIdempotentScript(),
    ["migrations", "apply", .. var rest] => await MigrationsCommand.ApplyAsync(rest),
    ["dev", .. var rest] => await DevBroker.RunAsync(rest),
    _ => await BrokerApp.RunAsync(args),
};
