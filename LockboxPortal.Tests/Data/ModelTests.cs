using LockboxPortal.Data;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Data;

public sealed class ModelTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void Mapping_MatchesTheLatestSqliteMigration()
    {
        using var db = NewContext();

        // A mapping left out of ApplyConfigurationsFromAssembly, or changed without a migration, shows here.
        Assert.False(db.Database.HasPendingModelChanges(),
            "The model changed without a SQLite migration: dotnet ef migrations add <Name> --project LockboxPortal --context SqliteLockboxDbContext -o Data/Migrations/Sqlite");
    }

    [Fact]
    public void Mapping_MatchesTheLatestPostgresMigration()
    {
        // No server is needed: the snapshot is compared with the model the context builds.
        using var db = new PostgresLockboxDbContext(TestDatabase.WithIdentity(new DbContextOptionsBuilder<PostgresLockboxDbContext>().UseNpgsql("Host=unused")).Options);

        Assert.False(db.Database.HasPendingModelChanges(),
            "The model changed without a PostgreSQL migration: dotnet ef migrations add <Name> --project LockboxPortal --context PostgresLockboxDbContext "
            + "-o Data/Migrations/Postgres -- --Database:Provider Postgres --ConnectionStrings:Postgres Host=localhost");
    }

    [Fact]
    public void EveryPortalEntity_IsMappedByAConfigurationInItsOwnFeatureFolder()
    {
        using var db = NewContext();
        var configured = typeof(LockboxDbContext).Assembly.GetTypes()
            .SelectMany(t => t.GetInterfaces()
                .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEntityTypeConfiguration<>))
                .Select(i => (Entity: i.GetGenericArguments()[0], Configuration: t)))
            .ToList();

        var portalEntities = db.Model.GetEntityTypes()
            .Select(e => e.ClrType)
            .Where(t => t.Namespace!.StartsWith("LockboxPortal.Features.", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(portalEntities);
        Assert.All(portalEntities, entity =>
        {
            var configuration = Assert.Single(configured, c => c.Entity == entity).Configuration;
            Assert.Equal(entity.Namespace, configuration.Namespace);
        });
    }

    /// <summary>A context with the app's Identity options (they choose Identity's schema version, passkeys included), as the app makes it.</summary>
    private SqliteLockboxDbContext NewContext() =>
        new(TestDatabase.WithIdentity(new DbContextOptionsBuilder<SqliteLockboxDbContext>().UseSqlite($"Data Source={_folder.File("model.db")}")).Options);

    public void Dispose() => _folder.Dispose();
}
