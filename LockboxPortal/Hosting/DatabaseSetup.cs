using LockboxPortal.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Hosting;

public static class DatabaseSetup
{
    /// <summary>Configuration key for the SQLite file; relative paths are under the content root.</summary>
    public const string SqlitePathKey = "Storage:SqlitePath";

    /// <summary>Configuration key choosing the database: <c>Sqlite</c> (default) or <c>Postgres</c>.</summary>
    public const string ProviderKey = "Database:Provider";

    /// <summary>The connection string name (<c>ConnectionStrings:Postgres</c>) when the provider is PostgreSQL.</summary>
    public const string PostgresConnectionName = "Postgres";

    public static IServiceCollection AddLockboxDatabase(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var provider = LockboxSeams.DatabaseProvider(configuration, environment);
        services.AddSingleton(provider);
        provider.AddDbContext(services);
        services.AddSingleton<LockboxTransactions>();
        // Kept where the provider says, so a restart keeps people signed in; encrypted at rest with the portal's
        // certificate, so a copy of the keys' folder (or of the database) does not hand them out.
        var certificate = PortalCertificate.Load(configuration, environment, Path.GetDirectoryName(ResolveSqlitePath(configuration, environment))!);
        services.AddSingleton(certificate);
        var dataProtection = services.AddDataProtection().SetApplicationName("LockboxPortal");
        provider.PersistDataProtectionKeys(dataProtection);
        certificate.ProtectKeys(dataProtection);
        services.AddHealthChecks().AddDbContextCheck<LockboxDbContext>("database", tags: [Telemetry.ReadyTag]);
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
