using LockboxPortal.Features.Audit;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Audit;

/// <summary><c>dotnet run -- audit ...</c>, run in-process against a built host over a temp SQLite file.</summary>
public sealed class AuditCommandTests
{
    private static async Task<(int? ExitCode, string Output, string Error)> RunAsync(ServiceHarness harness, params string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            EnvironmentName = "Test",
            ContentRootPath = Path.GetDirectoryName(harness.DatabasePath),
        });
        builder.Configuration[DatabaseSetup.SqlitePathKey] = harness.DatabasePath;
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
        await AuditTestData.DropGuardsAsync(harness.DatabasePath);
        await AuditTestData.ChangeDetailsAsync(harness.DatabasePath, harness.Contoso, 4, "{\"change\":99}");

        var (exitCode, output, _) = await RunAsync(harness, "audit", "verify");

        Assert.Equal(1, exitCode);
        Assert.Contains("contoso: broken at entry 4: changed", output);
        Assert.Contains("northwind: intact, 2 entries", output);
    }

    [Fact]
    public async Task Verify_OneTenant_VerifiesOnlyThatChain()
    {
        await using var harness = await ChainsAsync();
        await AuditTestData.DropGuardsAsync(harness.DatabasePath);
        await AuditTestData.DeleteAsync(harness.DatabasePath, harness.Contoso, 2);

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
