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
        var provider = LockboxSeams.DatabaseProvider(configuration, environment);
        services.AddSingleton(provider);
        provider.AddDbContext(services);
        services.AddSingleton<LockboxTransactions>();
        // Kept where the provider says, so a restart keeps people signed in.
        provider.PersistDataProtectionKeys(services.AddDataProtection().SetApplicationName("LockboxPortal"));
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
        await services.GetRequiredService<IDatabaseProvider>().AfterMigrateAsync(db, cancellationToken);
    }
}
