using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace CredentialBroker.Benchmarks.Micro;

/// <summary>
/// <c>micro</c>: BenchmarkDotNet over the hot paths, in process (no generated projects). Other
/// arguments go to BenchmarkDotNet (e.g. <c>--filter *Stream*</c>); <c>--quick</c> runs each
/// benchmark once (BenchmarkDotNet's Dry job) so CI keeps them compiling and running.
/// </summary>
internal static class MicroBenchmarkRunner
{
    public static int Run(string[] args)
    {
        var quick = args.Contains("--quick");
        var rest = args.Where(a => a != "--quick").ToArray();
        var job = (quick ? Job.Dry : Job.Default).WithToolchain(InProcessEmitToolchain.Instance);
        var config = DefaultConfig.Instance
            .AddJob(job)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "credentialbroker-benchmarkdotnet"))
            .WithOptions(ConfigOptions.DisableLogFile);
        var summaries = BenchmarkSwitcher.FromTypes([typeof(HotPathBenchmarks)]).Run(rest.Length == 0 ? ["--filter", "*"] : rest, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
