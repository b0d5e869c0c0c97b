using System.Diagnostics;
using LockboxPortal.Data;
using LockboxPortal.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.DataGen;

/// <summary>
/// <c>generate</c> fills a new database with a provider-sized history; <c>bench</c> measures the portal on it
/// (see bench/README.md, "Provider-sized database").
/// </summary>
public static class DataGenProgram
{
    public const string Usage = """
        Usage:
          generate (--sqlite FILE | --postgres CONNECTION) [--seed N] [--tenants 200] [--requests 100000] [--audit-entries 1000000]
                                                             a new database; smaller figures make a baseline to compare with
          bench (--sqlite FILE | --postgres CONNECTION) [--samples 20] [--starts 3] [--verify-runs 1]
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("generate" or "bench"))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var target = Target.FromArgs(args);
        return args[0] == "generate" ? await GenerateAsync(target, args) : await ScaleBench.RunAsync(target, args);
    }

    private static async Task<int> GenerateAsync(Target target, string[] args)
    {
        if (target.SqlitePath is { } path && File.Exists(path))
        {
            Console.Error.WriteLine($"{path} exists; the generator fills a new database only.");
            return 1;
        }

        var clock = Stopwatch.StartNew();
        await using var app = PortalHost.Build(target);
        await app.Services.MigrateLockboxDatabaseAsync();
        var factory = app.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            if (await db.Tenants.AnyAsync() || await db.Users.AnyAsync())
            {
                Console.Error.WriteLine("The database already holds tenants or people; the generator fills a new database only.");
                return 1;
            }
        }

        var defaults = new GeneratorSettings();
        int Number(string name, int fallback) => int.TryParse(Target.Option(args, name), out var value) ? value : fallback;
        var settings = defaults with
        {
            Seed = Number("--seed", defaults.Seed),
            Tenants = Number("--tenants", defaults.Tenants),
            Requests = Number("--requests", defaults.Requests),
            AuditEntries = Number("--audit-entries", defaults.AuditEntries),
        };
        settings = settings with { ProviderAuditEntries = settings.AuditEntries / 10 };
        Console.WriteLine($"LockboxPortal provider-sized database · {target.Name} · seed {settings.Seed} · migrated in {clock.Elapsed.TotalSeconds:N1} s · {DateTime.UtcNow:u}");
        await new Generator(factory.CreateDbContext, settings, Console.Out).RunAsync(CancellationToken.None);
        Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:N1} s.");
        return 0;
    }
}
