package web

import (
	"fmt"
	"html/template"
	"slices"
	"text/template/parse"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// checkPermissionNames refuses a template that calls can with anything but
// the name of a padlock permission, written as a string constant: a
// misspelt name would otherwise hide a link from everyone, silently.
func checkPermissionNames(t *template.Template) error {
	for _, d := range t.Templates() {
		if d.Tree == nil {
			continue
		}
		if err := checkCan(d.Tree.Root); err != nil {
			return fmt.Errorf("template %s: %w", d.Name(), err)
		}
	}
	return nil
}

// checkCan walks n and checks the permission argument of every can call.
func checkCan(n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkCan(c); err != nil {
				return err
			}
		}
	case *parse.ActionNode:
		return checkCan(n.Pipe)
	case *parse.TemplateNode:
		return checkCan(n.Pipe)
	case *parse.IfNode:
		return checkBranch(&n.BranchNode)
	case *parse.RangeNode:
		return checkBranch(&n.BranchNode)
	case *parse.WithNode:
		return checkBranch(&n.BranchNode)
	case *parse.PipeNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Cmds {
			if err := checkCan(c); err != nil {
				return err
			}
		}
	case *parse.ChainNode:
		return checkCan(n.Node)
	case *parse.CommandNode:
		return checkCommand(n)
	}
	return nil
}

func checkBranch(b *parse.BranchNode) error {
	for _, n := range []parse.Node{b.Pipe, b.List, b.ElseList} {
		if err := checkCan(n); err != nil {
			return err
		}
	}
	return nil
}

func checkCommand(c *parse.CommandNode) error {
	if id, ok := c.Args[0].(*parse.IdentifierNode); ok && id.Ident == "can" {
		if len(c.Args) != 3 {
			return fmt.Errorf("%s: can takes a user and a permission name", c)
		}
		s, ok := c.Args[2].(*parse.StringNode)
		if !ok {
			return fmt.Errorf("%s: the permission must be a string constant", c)
		}
		if !slices.Contains(padlock.Permissions, padlock.Permission(s.Text)) {
			return fmt.Errorf("%s: no permission %q", c, s.Text)
		}
	}
	for _, a := range c.Args {
		if err := checkCan(a); err != nil {
			return err
		}
	}
	return nil
}
