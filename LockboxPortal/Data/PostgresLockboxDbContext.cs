using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LockboxPortal.Data;

/// <summary>
/// The PostgreSQL schema; its migrations live in <c>Data/Migrations/Postgres</c>. It also holds the Data Protection
/// keys, so every node protects and unprotects cookies and signing keys with the same key ring (on SQLite, one node,
/// they stay in files beside the database).
/// </summary>
public sealed class PostgresLockboxDbContext(DbContextOptions<PostgresLockboxDbContext> options) : LockboxDbContext(options), IDataProtectionKeyContext
{
    /// <summary>The sequence whose numbers the events between nodes carry (see <see cref="IDatabaseProvider.NextEventNumberAsync"/>).</summary>
    public const string EventNumbers = "EventNumbers";

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);

        // Timestamps as UTC ticks (bigint): exactly what .NET holds, as SQLite's text does. PostgreSQL's timestamptz
        // keeps microseconds only, so a value read back would differ from the one a node holds (and hashed into an
        // audit entry) by up to 999 ns, and "the instant before a deadline" would fall on the deadline.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.HasSequence<long>(EventNumbers);
    }
}

/// <summary>Stores every <see cref="DateTimeOffset"/> as its UTC ticks; ordering and comparisons are those of the instants.</summary>
internal sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    value => new DateTimeOffset(value, TimeSpan.Zero));
