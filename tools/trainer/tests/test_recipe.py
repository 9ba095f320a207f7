import json
import os
import unittest

from tools.trainer.errors import TrainerError
from tools.trainer.recipe import DEFAULTS, RECIPE_DIR, load_recipe, validate

from .helpers import TempDir


class RecipeTest(unittest.TestCase):
    def test_builtin_recipes_validate(self):
        names = sorted(f[:-5] for f in os.listdir(RECIPE_DIR) if f.endswith('.json'))
        for required in ('tiny', 'ecg-teacher', 'ecg-student', 'bearing-teacher', 'bearing-student'):
            self.assertIn(required, names)
        for name in names:
            r = load_recipe(name)
            self.assertEqual(r['name'], name)

    def test_unknown_key_names_its_path(self):
        with self.assertRaises(TrainerError) as cm:
            validate({'teacher': {'train': {'epoch': 3}}})
        self.assertEqual(cm.exception.code, 'E_ARGUMENT')
        self.assertIn('teacher.train.epoch', str(cm.exception))

    def test_wrong_type_and_choice(self):
        for raw, needle in (({'seed': 'x'}, 'seed'), ({'teacher': {'train': {'lr': True}}}, 'teacher.train.lr'),
                            ({'student': {'model': {'cell': 'rnn'}}}, 'student.model.cell'),
                            ({'student': {'distill': {'alpha': 1.5}}}, 'alpha'),
                            ({'dataset': {'path': None, 'valFraction': 0}}, 'valFraction')):
            with self.assertRaises(TrainerError, msg=raw) as cm:
                validate(raw)
            self.assertIn(needle, str(cm.exception))

    def test_ints_accepted_for_floats_and_defaults_merged(self):
        r = validate({'teacher': {'train': {'lr': 1}}})
        self.assertEqual(r['teacher']['train']['lr'], 1.0)
        self.assertEqual(r['teacher']['train']['epochs'], DEFAULTS['teacher']['train']['epochs'])

    def test_overrides_are_validated_like_files(self):
        r = load_recipe('tiny', ['teacher.train.epochs=7', 'dataset.valRecords=[1,2]'])
        self.assertEqual(r['teacher']['train']['epochs'], 7)
        self.assertEqual(r['dataset']['valRecords'], [1, 2])
        with self.assertRaises(TrainerError):
            load_recipe('tiny', ['teacher.train.epochz=7'])

    def test_bad_files(self):
        with TempDir() as d:
            bad = os.path.join(d, 'bad.json')
            with open(bad, 'w') as f:
                f.write('{"seed": 1,')
            with self.assertRaises(TrainerError) as cm:
                load_recipe(bad)
            self.assertEqual(cm.exception.code, 'E_FILE_FORMAT')
            with open(bad, 'w') as f:
                json.dump({'bogus': 1}, f)
            with self.assertRaises(TrainerError) as cm:
                load_recipe(bad)
            self.assertIn('"bogus"', str(cm.exception))
        with self.assertRaises(TrainerError) as cm:
            load_recipe('no-such-recipe')
        self.assertEqual(cm.exception.code, 'E_NOT_FOUND')


if __name__ == '__main__':
    unittest.main()
