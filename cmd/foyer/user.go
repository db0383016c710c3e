package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/store"
)

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) > 0 && args[0] == "add":
		return runUserAdd(ctx, args[1:], os.Stdin, stdout, stderr)
	case len(args) > 0 && args[0] == "password":
		return runUserPassword(ctx, args[1:], os.Stdin, stdout, stderr)
	}
	return noSubcommand(args, `Usage: foyer user add --workspace NAME --email ADDRESS [flags]
       foyer user password --email ADDRESS [flags]

  add        create a user (or give an existing one a role) in a workspace;
             the workspace is created when it does not exist
  password   set a new password for a user, who is signed out everywhere;
             for a user who cannot get a reset link (no mail relay, and
             more than one workspace)
`, stderr)
}

// runUserPassword sets a user's password, generated or read from standard
// input: the operator's way to let in a user whom no owner may reset.
func runUserPassword(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("user password", "", stderr)
	db := dbFlag(fs)
	email := fs.String("email", "", "the user's email address")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (default: generate one and print it once)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" {
		fs.Usage()
		return errUsage
	}
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := s.UserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	password, hash, generated, err := newPasswordHash(*fromStdin, stdin)
	if err != nil {
		return err
	}
	if err := s.SetPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	if err := s.LoginSucceeded(ctx, u.ID); err != nil { // a new password also lifts a lock
		return err
	}
	fmt.Fprintf(stdout, "Set a new password for %s; every session of theirs ended.\n", u.Email)
	if generated {
		fmt.Fprintf(stdout, "Password: %s\n(shown once: hand it over safely; they can change it on their account page)\n", password)
	}
	return nil
}

func runUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("user add", "", stderr)
	db := dbFlag(fs)
	wsName := fs.String("workspace", "", "workspace name (created when missing)")
	email := fs.String("email", "", "the user's email address")
	name := fs.String("name", "", "the user's name")
	roleName := fs.String("role", "owner", "role in the workspace: owner, admin, analyst or viewer")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (default: generate one and print it once)")
	if err := parse(fs, args); err != nil {
		return err
	}
	role, err := foyer.ParseRole(*roleName)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*wsName) == "" || *email == "" {
		fs.Usage()
		return errUsage
	}
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()

	ws, created, err := workspaceNamed(ctx, s, *wsName)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stdout, "Created workspace %q.\n", ws.Name)
	}
	u, err := s.UserByEmail(ctx, *email)
	switch foyer.ErrorCode(err) {
	case "":
		if *fromStdin {
			return foyer.Errorf(foyer.ECONFLICT, "user %s exists; this command does not change passwords", u.Email)
		}
		fmt.Fprintf(stdout, "User %s exists; their password is unchanged.\n", u.Email)
	case foyer.ENOTFOUND:
		password, hash, generated, err := newPasswordHash(*fromStdin, stdin)
		if err != nil {
			return err
		}
		u = &foyer.User{Email: *email, Name: *name, PasswordHash: hash}
		if err := s.CreateUser(ctx, u); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Created user %s.\n", u.Email)
		if generated {
			fmt.Fprintf(stdout, "Password: %s\n(shown once: keep it somewhere safe, or change it after signing in)\n", password)
		}
	default:
		return err
	}
	if err := s.SetMembership(ctx, foyer.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: role}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s is %s of workspace %q.\n", u.Email, role, ws.Name)
	return nil
}

// newPasswordHash is newPassword with the password's hash; EINVALID for
// a password too short.
func newPasswordHash(fromStdin bool, stdin io.Reader) (password, hash string, generated bool, err error) {
	if password, generated, err = newPassword(fromStdin, stdin); err != nil {
		return "", "", false, err
	}
	if hash, err = auth.HashPassword(password, auth.DefaultParams); err != nil {
		return "", "", false, foyer.Errorf(foyer.EINVALID, "%v", err)
	}
	return password, hash, generated, nil
}

// newPassword reads the password from stdin, or makes one of 20 letters
// and digits.
func newPassword(fromStdin bool, stdin io.Reader) (password string, generated bool, err error) {
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", false, foyer.Errorf(foyer.EINVALID, "no password on standard input")
		}
		return strings.TrimRight(line, "\r\n"), false, nil
	}
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	for i := range b {
		b[i] = alphabet[randIntn(len(alphabet))]
	}
	return string(b), true, nil
}

func randIntn(n int) int {
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < 256-256%n {
			return int(b[0]) % n
		}
	}
}
