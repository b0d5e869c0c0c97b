using LockboxPortal.Data;
using NetArchTest.Rules;

namespace LockboxPortal.Tests.Data;

public sealed class ProviderIsolationTests
{
    [Fact]
    public void OnlyEachProvidersPart_UsesItsTypes()
    {
        var result = Types.InAssembly(typeof(LockboxDbContext).Assembly)
            .That().DoNotHaveName(nameof(SqliteDatabaseProvider), nameof(SqliteLockboxDbContext))
            .And().DoNotResideInNamespace("LockboxPortal.Data.Migrations.Sqlite")
            .ShouldNot().HaveDependencyOnAny("Microsoft.Data.Sqlite", "Microsoft.EntityFrameworkCore.Sqlite")
            .GetResult();

        // A second provider is a second implementation of IDatabaseProvider, not a branch in shared code.
        Assert.True(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));

        var postgres = Types.InAssembly(typeof(LockboxDbContext).Assembly)
            .That().DoNotHaveName(nameof(PostgresDatabaseProvider))
            .And().DoNotResideInNamespace("LockboxPortal.Data.Migrations.Postgres")
            .ShouldNot().HaveDependencyOnAny("Npgsql")
            .GetResult();
        Assert.True(postgres.IsSuccessful, string.Join(", ", postgres.FailingTypeNames ?? []));

        // The rule can see such a dependency: the SQLite part has one.
        Assert.True(Types.InAssembly(typeof(LockboxDbContext).Assembly)
            .That().HaveName(nameof(SqliteDatabaseProvider))
            .Should().HaveDependencyOn("Microsoft.Data.Sqlite")
            .GetResult().IsSuccessful);
    }
}
