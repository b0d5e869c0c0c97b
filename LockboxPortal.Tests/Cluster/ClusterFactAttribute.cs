using LockboxPortal.Tests.Infrastructure;

namespace LockboxPortal.Tests.Cluster;

/// <summary>
/// A test of several nodes over one PostgreSQL and one Redis: it runs in test.sh's PostgreSQL run, which starts
/// both, and says why it is skipped anywhere else.
/// </summary>
public sealed class ClusterFactAttribute : FactAttribute
{
    public ClusterFactAttribute()
    {
        if (!TestDatabase.IsPostgres || TestDatabase.Redis is null)
        {
            Skip = $"Runs against PostgreSQL and Redis: {TestDatabase.ProviderVariable}=Postgres, {TestDatabase.PostgresVariable} and {TestDatabase.RedisVariable} (./test.sh sets them).";
        }
    }
}
