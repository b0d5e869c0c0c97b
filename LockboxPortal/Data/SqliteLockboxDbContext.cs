using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LockboxPortal.Data;

/// <summary>The SQLite schema; its migrations live in <c>Data/Migrations/Sqlite</c>.</summary>
public sealed class SqliteLockboxDbContext(DbContextOptions<SqliteLockboxDbContext> options) : LockboxDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);

        // Timestamps as UTC date-times: SQLite stores them as ISO-8601 text, which filters and sorts correctly,
        // unlike DateTimeOffset, which SQLite can neither compare nor order.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcDateTimeOffsetConverter>();
    }
}

/// <summary>Stores every <see cref="DateTimeOffset"/> as a UTC <see cref="DateTime"/>.</summary>
internal sealed class UtcDateTimeOffsetConverter() : ValueConverter<DateTimeOffset, DateTime>(
    value => value.UtcDateTime,
    value => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)));
