using CredentialBroker.Cli;

return await BrokerCli.InvokeAsync(args, Console.Out, Console.Error);
