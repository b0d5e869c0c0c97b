using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Data;

/// <summary>The SQLite schema; its migrations live in <c>Data/Migrations/Sqlite</c>.</summary>
public sealed class SqliteLockboxDbContext(DbContextOptions<SqliteLockboxDbContext> options) : LockboxDbContext(options);
