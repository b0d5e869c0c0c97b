using LockboxPortal.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Hosting;

public static class DatabaseSetup
{
    /// <summary>Configuration key for the SQLite file; relative paths are under the content root.</summary>
    public const string SqlitePathKey = "Storage:SqlitePath";

    public static IServiceCollection AddLockboxDatabase(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var path = ResolveSqlitePath(configuration, environment);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var connectionString = $"Data Source={path};Default Timeout=30";

        services.AddDbContextFactory<SqliteLockboxDbContext>(options => options.UseSqlite(connectionString));
        services.AddSingleton<IDbContextFactory<LockboxDbContext>, UpcastFactory<SqliteLockboxDbContext>>();
        services.AddScoped<LockboxDbContext>(sp => sp.GetRequiredService<SqliteLockboxDbContext>());
        services.AddSingleton<LockboxTransactions>();
        // Keys that protect sign-in cookies live beside the database, so a restart keeps people signed in.
        services.AddDataProtection()
            .SetApplicationName("LockboxPortal")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(Path.GetDirectoryName(path)!, "keys")));
        services.AddHealthChecks().AddDbContextCheck<LockboxDbContext>("database");
        return services;
    }

    public static string ResolveSqlitePath(IConfiguration configuration, IHostEnvironment environment) =>
        Path.GetFullPath(configuration[SqlitePathKey] ?? Path.Combine("App_Data", "lockbox.db"), environment.ContentRootPath);

    /// <summary>Applies pending migrations. Never EnsureCreated: an older database must be upgraded, not replaced.</summary>
    public static async Task MigrateLockboxDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<LockboxDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);

        // WAL lets readers (pages, the access check) go on while one writer commits.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }

    private sealed class UpcastFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<LockboxDbContext>
        where TContext : LockboxDbContext
    {
        public LockboxDbContext CreateDbContext() => inner.CreateDbContext();
    }
}
