using LockboxPortal.Data;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Data;

public sealed class ModelTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void Mapping_MatchesTheLatestSqliteMigration()
    {
        using var db = NewContext();

        // A mapping left out of ApplyConfigurationsFromAssembly, or changed without a migration, shows here.
        Assert.False(db.Database.HasPendingModelChanges());
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

    private SqliteLockboxDbContext NewContext() =>
        new(new DbContextOptionsBuilder<SqliteLockboxDbContext>().UseSqlite($"Data Source={_folder.File("model.db")}").Options);

    public void Dispose() => _folder.Dispose();
}
