namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// A test of something only PostgreSQL allows (writers committing out of order), run in test.sh's PostgreSQL run and
/// skipped, saying why, anywhere else.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!TestDatabase.IsPostgres)
        {
            Skip = $"Runs against PostgreSQL: {TestDatabase.ProviderVariable}=Postgres and {TestDatabase.PostgresVariable} (./test.sh sets them).";
        }
    }
}
