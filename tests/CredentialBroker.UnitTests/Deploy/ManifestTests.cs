using YamlDotNet.RepresentationModel;
using static CredentialBroker.UnitTests.Deploy.DeployFiles;

namespace CredentialBroker.UnitTests.Deploy;

public sealed class ManifestTests
{
    private static readonly IReadOnlyList<YamlMappingNode> _objects = KubernetesObjects();

    private static YamlMappingNode Single(string kind, string? name = null) =>
        Assert.Single(_objects, o => Scalar(o, "kind") == kind && (name is null || Scalar(o, "metadata", "name") == name));

    private static YamlMappingNode Compose() =>
        Assert.Single(Documents(System.IO.Path.Combine(DeployFiles.Directory, "compose", "docker-compose.yml")));

    [Fact]
    public void EveryYamlFile_Parses()
    {
        var files = YamlFiles().ToList();

        Assert.True(files.Count >= 10, $"only {files.Count} YAML files under deploy/");
        Assert.All(files, f => Assert.NotEmpty(Documents(f)));
    }

    [Fact]
    public void Kustomization_ListsEveryManifestButTheSecretExample()
    {
        var root = System.IO.Path.Combine(DeployFiles.Directory, "kubernetes");
        var kustomization = Assert.Single(Documents(System.IO.Path.Combine(root, "kustomization.yaml")));
        var resources = Sequence(kustomization, "resources").Select(r => ((YamlScalarNode)r).Value!).ToList();
        var manifests = System.IO.Directory.EnumerateFiles(root, "*.yaml").Select(System.IO.Path.GetFileName)
            .Where(f => f is not "kustomization.yaml" and not "secret.example.yaml");

        Assert.Equal(manifests.Order(StringComparer.Ordinal), resources.Order(StringComparer.Ordinal));
        Assert.Equal("credentialbroker", Scalar(kustomization, "namespace"));
    }

    [Fact]
    public void Kubernetes_HasTheExpectedObjects()
    {
        Single("Namespace", "credentialbroker");
        Single("ConfigMap", "credentialbroker-config");
        Single("Secret", "credentialbroker-secrets");
        var migrate = Sequence(Single("Job"), "spec", "template", "spec", "containers").Single();
        Assert.Equal(["migrations", "apply"], Sequence(migrate, "args").Select(a => ((YamlScalarNode)a).Value));
        Assert.Equal("3", Scalar(Single("Deployment", "credentialbroker"), "spec", "replicas"));
        Assert.Equal("2", Scalar(Single("PodDisruptionBudget"), "spec", "minAvailable"));
        var hpa = Single("HorizontalPodAutoscaler");
        Assert.Equal("70", Scalar(Sequence(hpa, "spec", "metrics").Single(), "resource", "target", "averageUtilization"));
        Assert.Equal("3", Scalar(hpa, "spec", "minReplicas"));
        Single("NetworkPolicy");
        Single("Cluster", "credentialbroker-db");

        var grpc = Sequence(Single("Service", "credentialbroker-grpc"), "spec", "ports").Single();
        Assert.Equal(("5080", "kubernetes.io/h2c"), (Scalar(grpc, "port"), Scalar(grpc, "appProtocol")));
        Assert.Equal("5081", Scalar(Sequence(Single("Service", "credentialbroker-gateway"), "spec", "ports").Single(), "port"));
    }

    [Fact]
    public void Deployment_RunsNonRootReadOnlyWithoutCapabilities_AndProbesHealth()
    {
        var pod = At(Single("Deployment"), "spec", "template", "spec");
        var container = Sequence(pod, "containers").Single();

        Assert.Equal("true", Scalar(pod, "securityContext", "runAsNonRoot"));
        Assert.NotEqual("0", Scalar(pod, "securityContext", "runAsUser"));
        Assert.Equal("true", Scalar(container, "securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("false", Scalar(container, "securityContext", "allowPrivilegeEscalation"));
        Assert.Equal(["ALL"], Sequence(container, "securityContext", "capabilities", "drop").Select(n => ((YamlScalarNode)n).Value));
        Assert.Equal("60", Scalar(pod, "terminationGracePeriodSeconds"));
        Assert.Equal(("/healthz", "gateway"), (Scalar(container, "livenessProbe", "httpGet", "path"), Scalar(container, "livenessProbe", "httpGet", "port")));
        Assert.Equal(("/readyz", "gateway"), (Scalar(container, "readinessProbe", "httpGet", "path"), Scalar(container, "readinessProbe", "httpGet", "port")));
        Assert.Contains(Sequence(container, "volumeMounts"), m => Scalar(m, "mountPath") == "/tmp");
        Assert.Contains(Sequence(container, "env"), e => Scalar(e, "name") == "Broker__MasterKeyFile" &&
            Scalar(e, "value")!.StartsWith(Sequence(container, "volumeMounts").Select(m => Scalar(m, "mountPath")).Single(p => p!.Contains("secrets"))!, StringComparison.Ordinal));
    }

    [Fact]
    public void Kubernetes_EnvironmentAndConfigMapKeys_AreKeysTheBrokerReads()
    {
        var names = new List<string>();
        foreach (var container in _objects.Where(o => Scalar(o, "kind") is "Deployment" or "Job")
            .SelectMany(o => Sequence(o, "spec", "template", "spec", "containers")))
        {
            var env = Sequence(container, "env").Select(e => Scalar(e, "name")!).ToList();
            Assert.All(env, n => Assert.True(IsConfigurationName(n) || n.StartsWith("DOTNET_", StringComparison.Ordinal), $"{n} is neither a configuration key nor a runtime setting"));
            names.AddRange(env);
        }

        var configMap = Keys(At(Single("ConfigMap"), "data")).ToList();
        Assert.All(configMap, n => Assert.True(IsConfigurationName(n), $"ConfigMap key {n} is not in the environment-variable form of a configuration key"));
        names.AddRange(configMap);

        Assert.Contains("ConnectionStrings__Broker", names);
        Assert.Empty(Unknown(names));
    }

    [Fact]
    public void Compose_BrokerReplicasWaitForTheMigrationAndRunReadOnlyAsNonRoot()
    {
        var services = At(Compose(), "services");
        Assert.Equal("postgres:17", Scalar(services, "postgres", "image"));
        Assert.NotNull(At(services, "postgres", "healthcheck"));
        Assert.Equal(["migrations", "apply"], Sequence(services, "migrate", "command").Select(n => ((YamlScalarNode)n).Value));
        Assert.Equal("service_healthy", Scalar(services, "migrate", "depends_on", "postgres", "condition"));

        var brokers = Keys(services).Where(s => s.StartsWith("broker-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, brokers.Count);
        foreach (var broker in brokers.Append("migrate"))
        {
            Assert.Equal("true", Scalar(services, broker, "read_only"));
            Assert.Contains("/tmp", Sequence(services, broker, "tmpfs").Select(n => ((YamlScalarNode)n).Value));
            Assert.False(Scalar(services, broker, "user") is null or "root" or "0" or "0:0", $"{broker} runs as root");
            Assert.Contains("ConnectionStrings__Broker", Keys(At(services, broker, "environment")));
        }

        Assert.All(brokers, b => Assert.Equal("service_completed_successfully", Scalar(services, b, "depends_on", "migrate", "condition")));
    }

    [Fact]
    public void Compose_EnvironmentKeys_AreKeysTheBrokerReads()
    {
        var services = At(Compose(), "services");
        var names = Keys(services).Where(s => s != "postgres").SelectMany(s => Keys(At(services, s, "environment"))).ToList();

        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.True(IsConfigurationName(n), $"compose sets {n}, not a configuration key"));
        Assert.Empty(Unknown(names));
    }

    [Fact]
    public void EveryFileUnderDeploy_NamesOnlyKeysTheBrokerReads()
    {
        // Catches keys in comments, env-file examples, the Dockerfile and kustomize patches alike.
        var names = System.IO.Directory.EnumerateFiles(DeployFiles.Directory, "*", SearchOption.AllDirectories)
            .SelectMany(f => ConfigurationNamesIn(File.ReadAllText(f))).ToList();

        Assert.Contains("Broker__BootstrapAdminToken", names);
        Assert.Empty(Unknown(names));
    }

    [Fact]
    public void Unknown_AMisspelledOrInventedKey_IsReported()
    {
        var yaml = """
            env:
              - name: Broker__Gateway__BudgetTimeZone
              - name: Broker__BootstrapAdminTokenFile
              - name: Kestrel__Endpoints__Grpc__Url
            """;

        Assert.Equal(["Broker__BootstrapAdminTokenFile"], Unknown(ConfigurationNamesIn(yaml)));
    }

    [Fact]
    public void Dockerfile_FinalStageRunsAsNonRootWithTheServerEntrypoint()
    {
        var lines = File.ReadAllLines(System.IO.Path.Combine(DeployFiles.Directory, "Dockerfile")).Select(l => l.Trim()).ToList();
        var finalStage = lines.Skip(lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal))).ToList();
        var user = finalStage.LastOrDefault(l => l.StartsWith("USER ", StringComparison.Ordinal))?["USER ".Length..].Split(':')[0];

        Assert.NotNull(user);
        Assert.DoesNotContain(user, new[] { "root", "0" });
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"CredentialBroker.Server.dll\"]", finalStage);
        Assert.Contains("EXPOSE 5080 5081", finalStage);
        Assert.Contains(finalStage, l => l.Contains("DOTNET_EnableDiagnostics=0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("dotnet publish src/CredentialBroker.Server/CredentialBroker.Server.csproj -c Release", StringComparison.Ordinal));
        Assert.True(File.Exists(System.IO.Path.Combine(UnitTests.Infrastructure.Repository.Root, ".dockerignore")));
    }
}
