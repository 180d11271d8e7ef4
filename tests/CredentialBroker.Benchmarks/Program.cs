using CredentialBroker.Benchmarks;
using CredentialBroker.Benchmarks.Micro;

return args.Length > 0 && args[0] == "micro"
    ? MicroBenchmarkRunner.Run(args[1..])
    : await BenchmarkCommand.RunAsync(args, Console.Out, Console.Error);
