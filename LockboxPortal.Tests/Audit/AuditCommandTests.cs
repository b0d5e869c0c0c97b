using LockboxPortal.Features.Audit;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Audit;

/// <summary><c>dotnet run -- audit ...</c>, run in-process against a built host over a temp SQLite file.</summary>
public sealed class AuditCommandTests
{
    internal static async Task<(int? ExitCode, string Output, string Error)> RunAsync(ServiceHarness harness, params string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            EnvironmentName = "Test",
            ContentRootPath = Path.GetDirectoryName(harness.DatabasePath),
        });
        builder.Configuration.AddInMemoryCollection(harness.DatabaseSettings);
        builder.Configuration.AddInMemoryCollection(TestCertificate.Settings());
        builder.Services.AddLockboxPortal(builder.Configuration, builder.Environment);
        await using var app = builder.Build();
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await app.RunConsoleCommandAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static async Task<ServiceHarness> ChainsAsync()
    {
        var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 6);
        await AuditTestData.AppendAsync(harness, harness.Northwind, 2);
        await AuditTestData.AppendAsync(harness, null, 1);
        return harness;
    }

    [Fact]
    public async Task NotACommand_ReturnsNullSoTheServerStarts()
    {
        await using var harness = await ChainsAsync();

        Assert.Null((await RunAsync(harness)).ExitCode);
        Assert.Null((await RunAsync(harness, "--urls", "http://localhost:5000")).ExitCode);
    }

    [Fact]
    public async Task Verify_IntactDatabase_ExitsZeroWithOneLinePerChain()
    {
        await using var harness = await ChainsAsync();

        var (exitCode, output, _) = await RunAsync(harness, "audit", "verify");

        Assert.Equal(0, exitCode);
        Assert.Contains("provider: intact, 1 entries", output);
        Assert.Contains("contoso: intact, 6 entries", output);
        Assert.Contains("northwind: intact, 2 entries", output);
    }

    [Fact]
    public async Task Verify_TamperedDatabase_ExitsNonZeroNamingTheBrokenEntry()
    {
        await using var harness = await ChainsAsync();
        await AuditTestData.DropGuardsAsync(harness);
        await AuditTestData.ChangeDetailsAsync(harness, harness.Contoso, 4, "{\"change\":99}");

        var (exitCode, output, _) = await RunAsync(harness, "audit", "verify");

        Assert.Equal(1, exitCode);
        Assert.Contains("contoso: broken at entry 4: changed", output);
        Assert.Contains("northwind: intact, 2 entries", output);
    }

    [Fact]
    public async Task Verify_RechainedOrCutAfterAnExport_ExitsNonZero_NamingTheCheckpoint_AndUntouchedPasses()
    {
        await using var harness = await ChainsAsync();
        Assert.Equal(0, (await RunAsync(harness, "audit", "export", "--tenant", "contoso", "--format", "json")).ExitCode);
        Assert.Equal(0, (await RunAsync(harness, "audit", "export", "--tenant", "northwind", "--format", "json")).ExitCode);
        await AuditTestData.AppendAsync(harness, harness.Contoso, 2);

        var untouched = await RunAsync(harness, "audit", "verify");
        await AuditTestData.DropGuardsAsync(harness);
        await AuditTestData.RechainAsync(harness, harness.Contoso, 2, "{\"change\":\"rewritten\"}");
        await AuditTestData.CutTailAsync(harness, harness.Northwind, 2);
        var tampered = await RunAsync(harness, "audit", "verify");

        Assert.Equal(0, untouched.ExitCode);
        Assert.Contains("contoso: intact, 8 entries; checkpoints: matches 1 signed checkpoint", untouched.Output);
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains("contoso: intact, 8 entries; checkpoints: entry 6 no longer has the hash signed", tampered.Output);
        Assert.Contains("northwind: intact, 1 entries; checkpoints: entry 2, signed as the head", tampered.Output);
    }

    [Fact]
    public async Task Verify_AgainstAKeptExport_CatchesARechain_EvenWhenTheStoredCheckpointsWereRemoved()
    {
        await using var harness = await ChainsAsync();
        var export = await RunAsync(harness, "audit", "export", "--tenant", "contoso", "--format", "json");
        var kept = Path.Combine(Path.GetDirectoryName(harness.DatabasePath)!, "contoso-kept.json");
        await File.WriteAllTextAsync(kept, export.Output);
        await AuditTestData.DropGuardsAsync(harness);
        await AuditTestData.DeleteCheckpointsAsync(harness);
        await AuditTestData.RechainAsync(harness, harness.Contoso, 3, "{\"change\":\"rewritten\"}");

        var withoutCopy = await RunAsync(harness, "audit", "verify", "--tenant", "contoso");
        var withCopy = await RunAsync(harness, "audit", "verify", "--tenant", "contoso", "--checkpoint", kept);

        Assert.Equal(0, withoutCopy.ExitCode);
        Assert.Equal(1, withCopy.ExitCode);
        Assert.Contains("entry 6 no longer has the hash signed", withCopy.Output);
    }

    [Fact]
    public async Task TheDocumentedOfflineCheckpointVerifier_AcceptsAnExport_AndCatchesARechainAgainstAnEarlierOne()
    {
        await using var harness = await ChainsAsync();
        var folder = Path.GetDirectoryName(harness.DatabasePath)!;
        var script = Path.Combine(folder, "checkpoint.py");
        await File.WriteAllTextAsync(script, DocumentedCheckpointScript());
        var key = Path.Combine(folder, "checkpoint-key.json");
        var certificate = harness.Services.GetRequiredService<LockboxPortal.Common.PortalCertificate>();
        await File.WriteAllTextAsync(key, System.Text.Json.JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", kid = certificate.KeyId, n = certificate.Modulus, e = certificate.Exponent } } }));

        async Task<string> ExportAsync(string name)
        {
            var path = Path.Combine(folder, name);
            await File.WriteAllTextAsync(path, (await RunAsync(harness, "audit", "export", "--tenant", "contoso", "--format", "json")).Output);
            return path;
        }

        var first = await ExportAsync("first.json");
        await AuditTestData.AppendAsync(harness, harness.Contoso, 2);
        var second = await ExportAsync("second.json");
        await AuditTestData.DropGuardsAsync(harness);
        await AuditTestData.RechainAsync(harness, harness.Contoso, 2, "{\"change\":\"rewritten\"}");
        var third = await ExportAsync("third.json");

        Assert.Equal((0, "checkpoints hold: 6"), await PythonAsync(script, first, key));
        Assert.Equal((0, "checkpoints hold: 8, 6"), await PythonAsync(script, second, key, first));
        var (exitCode, output) = await PythonAsync(script, third, key, first);
        Assert.Equal(1, exitCode);
        Assert.Contains("entry 6 does not have the hash signed", output);
    }

    private static string DocumentedCheckpointScript()
    {
        var page = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "audit-trail.md"));
        return System.Text.RegularExpressions.Regex.Matches(page, "```python\n(.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value).Single(code => code.Contains("def signed_by", StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "LockboxPortal.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("LockboxPortal.sln not found above the test output.");
    }

    private static async Task<(int ExitCode, string Output)> PythonAsync(params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("python3", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, ((await output) + (await error)).Trim());
    }

    [Fact]
    public async Task Verify_OneTenant_VerifiesOnlyThatChain()
    {
        await using var harness = await ChainsAsync();
        await AuditTestData.DropGuardsAsync(harness);
        await AuditTestData.DeleteAsync(harness, harness.Contoso, 2);

        var northwind = await RunAsync(harness, "audit", "verify", "--tenant", "northwind");
        var contoso = await RunAsync(harness, "audit", "verify", "--tenant", "contoso");

        Assert.Equal((0, "northwind: intact, 2 entries"), (northwind.ExitCode, northwind.Output.Trim()));
        Assert.Equal((1, "contoso: broken at entry 2: missing (entry 2 is missing)"), (contoso.ExitCode, contoso.Output.Trim()));
    }

    [Fact]
    public async Task Verify_UnknownTenant_IsAUsageError()
    {
        await using var harness = await ChainsAsync();

        var (exitCode, _, error) = await RunAsync(harness, "audit", "verify", "--tenant", "fabrikam");

        Assert.Equal(2, exitCode);
        Assert.Contains("fabrikam", error);
    }

    [Fact]
    public async Task Export_Json_WritesAVerifiableChainAndRecordsNothing()
    {
        await using var harness = await ChainsAsync();

        var (exitCode, output, _) = await RunAsync(harness, "audit", "export", "--tenant", "contoso", "--format", "json");

        Assert.Equal(0, exitCode);
        Assert.Equal("intact, 6 entries", IndependentChainVerifier.VerifyJson(output));
        await using var db = harness.NewContext();
        Assert.Equal(9, await db.AuditEntries.CountAsync());
    }

    [Fact]
    public async Task Export_CsvOfProviderChain_WritesTheChain()
    {
        await using var harness = await ChainsAsync();

        var (exitCode, output, _) = await RunAsync(harness, "audit", "export", "--provider", "--format", "csv");

        Assert.Equal(0, exitCode);
        Assert.Equal("intact, 1 entries", IndependentChainVerifier.VerifyCsv(output));
    }

    [Theory]
    [InlineData("audit")]
    [InlineData("audit", "rewrite")]
    [InlineData("audit", "export", "--tenant", "contoso")]
    [InlineData("audit", "export", "--format", "json")]
    public async Task BadArguments_AreAUsageError(params string[] args)
    {
        await using var harness = await ChainsAsync();

        var (exitCode, _, error) = await RunAsync(harness, args);

        Assert.Equal(2, exitCode);
        Assert.Contains("Usage", error);
    }
}
